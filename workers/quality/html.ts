export function renderQualityHtml(report: unknown): string { return String(report); }
