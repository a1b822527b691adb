/**
 * A small document model (sections of paragraphs, lists, tables, notes) rendered to Markdown and to
 * one self-contained HTML page (no script, no external file). Every string is escaped on the way
 * out — HTML entities in the page, Markdown's special characters in the Markdown — so text from
 * the registry (project names, reasons, column names) can never become markup.
 */
import { escapeHtml } from '../../../common/html.js';

/** A piece of a section. */
export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; headers: string[]; rows: string[][] }
  | { kind: 'note'; tone: 'warning' | 'info'; text: string };

/** A titled section. */
export interface Section {
  title: string;
  blocks: Block[];
}

/** The whole card. */
export interface CardDocument {
  title: string;
  subtitle: string;
  sections: Section[];
}

/**
 * Escapes what Markdown would read as markup: emphasis, code, links, table pipes, a leading heading
 * or list marker, and `<`/`>` so no raw HTML gets through a Markdown renderer.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#>+-]|\d+\.)/, '$1\\$2')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}

export function toMarkdown(doc: CardDocument): string {
  const lines = [`# ${escapeMarkdown(doc.title)}`, '', escapeMarkdown(doc.subtitle), ''];
  for (const section of doc.sections) {
    lines.push(`## ${escapeMarkdown(section.title)}`, '');
    for (const block of section.blocks) {
      if (block.kind === 'paragraph') lines.push(escapeMarkdown(block.text), '');
      else if (block.kind === 'note') lines.push(`> **${block.tone === 'warning' ? 'Warning' : 'Note'}:** ${escapeMarkdown(block.text)}`, '');
      else if (block.kind === 'list') lines.push(...block.items.map((item) => `- ${escapeMarkdown(item)}`), '');
      else {
        lines.push(`| ${block.headers.map(escapeMarkdown).join(' | ')} |`, `|${block.headers.map(() => '---').join('|')}|`);
        for (const row of block.rows) lines.push(`| ${row.map(escapeMarkdown).join(' | ')} |`);
        lines.push('');
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

const STYLE = `body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;max-width:960px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.sub{color:#57606a;margin:0 0 16px}table{border-collapse:collapse;width:100%;margin:8px 0 14px;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
.note{border-left:4px solid #0969da;background:#ddf4ff;padding:6px 10px;margin:8px 0}.note.warning{border-color:#9a6700;background:#fff8c5}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:avoid}}`;

export function toHtml(doc: CardDocument): string {
  const parts = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(doc.title)}</h1><p class="sub">${escapeHtml(doc.subtitle)}</p>`,
  ];
  for (const section of doc.sections) {
    parts.push(`<section><h2>${escapeHtml(section.title)}</h2>`);
    for (const block of section.blocks) {
      if (block.kind === 'paragraph') parts.push(`<p>${escapeHtml(block.text)}</p>`);
      else if (block.kind === 'note') parts.push(`<p class="note ${block.tone}" role="note"><strong>${block.tone === 'warning' ? 'Warning' : 'Note'}:</strong> ${escapeHtml(block.text)}</p>`);
      else if (block.kind === 'list') parts.push(`<ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`);
      else {
        parts.push(
          `<table><thead><tr>${block.headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`,
          ...block.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`),
          '</tbody></table>',
        );
      }
    }
    parts.push('</section>');
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}
