/**
 * `pilot roi PROJECT --set key=value …`: applies text settings to a stored ROI case and validates
 * the result, with messages that name the key and suggest one when it is misspelt.
 */
import { UserInputError } from '../../workers/protocol.js';
import { ROI_FIELD_SPECS, type RoiNumericKey } from './fields.js';
import { parseRoiInput, type RoiInput } from './schema.js';

const TEXT_KEYS = ['currency', 'locale'] as const;

function isNumericKey(key: string): key is RoiNumericKey {
  return Object.hasOwn(ROI_FIELD_SPECS, key);
}

function suggest(key: string): string {
  const lower = key.toLowerCase();
  const all = [...TEXT_KEYS, ...Object.keys(ROI_FIELD_SPECS)];
  const close = all.filter((k) => k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase()));
  return close.length > 0 ? ` Did you mean ${close.slice(0, 3).join(' or ')}?` : ` Known keys: ${all.join(', ')}.`;
}

/** Applies `key=value` settings on top of `base` (a stored case or `{}`) and validates the result. */
export function applyRoiSettings(base: Partial<RoiInput> | undefined, settings: readonly string[]): RoiInput {
  const next: Record<string, unknown> = { ...(base ?? {}) };
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    if (eq <= 0) throw new UserInputError(`The setting "${setting}" is not of the form key=value (for example hoursSavedPerMonth=120).`);
    const key = setting.slice(0, eq).trim();
    const text = setting.slice(eq + 1).trim();
    if ((TEXT_KEYS as readonly string[]).includes(key)) {
      next[key] = key === 'currency' ? text.toUpperCase() : text;
    } else if (isNumericKey(key)) {
      const value = text === '' ? Number.NaN : Number(text.replace(/_/g, '').replace(/%$/, ''));
      if (!Number.isFinite(value)) throw new UserInputError(`The value "${text}" for ${key} is not a number; write it like 1250 or 0.28 (a dot for decimals, no thousands separator).`);
      next[key] = value;
    } else {
      throw new UserInputError(`There is no ROI field named "${key}".${suggest(key)}`);
    }
  }
  return parseRoiInput(next);
}
