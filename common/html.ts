/**
 * HTML escaping for every report the workbench writes (hardware, quality, drift, ROI, model cards).
 * Pure and dependency-free, like everything in common/: the main process, workers and the renderer
 * may all import it.
 */
/** Escapes text for HTML element content and double- or single-quoted attribute values. `null`/`undefined` → "". */
export function escapeHtml(text: unknown): string {
  return String(text ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A template tag that escapes every interpolated value; `raw()` marks HTML built by this module. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Raw(out);
}

/** HTML that is already safe (built with `html` or by this module's renderers). */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks a string as safe HTML. Only for markup generated here, never for user text. */
export function raw(markup: string): Raw {
  return new Raw(markup);
}

function render(value: unknown): string {
  if (value instanceof Raw) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}
