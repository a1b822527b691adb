/**
 * Which page is shown: a hash route (`#/data`), so it works from file:// in Electron and from the
 * server's one HTML file in serve mode, with back/forward and bookmarks.
 */
export class Router {
  current = $state(Router.#read());

  constructor(readonly fallback: string) {
    if (!this.current) this.current = fallback;
    window.addEventListener('hashchange', () => {
      this.current = Router.#read() || fallback;
    });
  }

  go(page: string): void {
    if (page !== this.current) location.hash = `#/${page}`;
  }

  static #read(): string {
    return location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  }
}
