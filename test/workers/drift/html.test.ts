import { describe, expect, it } from 'vitest';
import { checkDrift, renderDriftHtml } from '../../../workers/drift/index.js';
import { makeContext } from '../../../workers/protocol.js';
import { splitBy, tempDir } from './helpers.js';

describe('renderDriftHtml', () => {
  it('is one self-contained page: summary, every column, one SVG overlay per judged column, nothing external', async () => {
    const [a, b] = splitBy(tempDir(), 'bike_day.csv', 'yr', '0', '1');
    const report = await checkDrift({ referencePath: a, currentPath: b, options: { ignoreColumns: ['yr'] } }, makeContext());
    report.columns[0]!.name = '<script>alert(1)</script>';
    const html = renderDriftHtml(report);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(report.summary.replace(/'/g, '&#39;'));
    expect(html).not.toMatch(/<script|src=|href=|@import|url\(/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const withOverlay = report.columns.filter((c) => c.overlay).length;
    expect(withOverlay).toBeGreaterThan(10);
    expect(html.match(/<svg /g)?.length).toBe(withOverlay);
    for (const c of report.columns.slice(1)) expect(html).toContain(`<td>${c.name}</td>`);
  });
});
