import type { App } from '../app-types.js';
import type { ChannelName, ChannelOutput, ChannelParsed } from '../contract/index.js';

/** What the handler of channel K must look like: validated input in, the declared output out. */
export type Handler<K extends ChannelName> = (input: ChannelParsed<K>, app: App) => ChannelOutput<K> | Promise<ChannelOutput<K>>;

export type HandlerMap<K extends ChannelName> = { [P in K]: Handler<P> };

/** The handlers of one capability: exactly the keys of its channel map (`typeof pilotsChannels`). */
export type HandlersOf<C> = HandlerMap<Extract<keyof C, ChannelName>>;
