/**
 * Parser for `rocm-smi --showproductname --showmeminfo vram --showdriverversion --json` (AMD GPUs
 * on Linux with ROCm). Its JSON keys changed between ROCm releases ("Card series" / "Card Series"),
 * so keys are matched case-insensitively.
 */
import type { GpuInfo } from './types.js';

function pick(card: Record<string, unknown>, ...names: string[]): string | null {
  const wanted = names.map((name) => name.toLowerCase());
  for (const [key, value] of Object.entries(card)) {
    if (wanted.includes(key.toLowerCase()) && typeof value === 'string' && value.trim() !== '' && value !== 'N/A') {
      return value.trim();
    }
  }
  return null;
}

/** Parses rocm-smi's JSON; returns null when the text is not rocm-smi JSON. */
export function parseRocmSmiJson(text: string): GpuInfo[] | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const driverSystem = (data as Record<string, unknown>)['system'];
  const systemDriver =
    typeof driverSystem === 'object' && driverSystem !== null ? pick(driverSystem as Record<string, unknown>, 'Driver version') : null;
  const gpus: GpuInfo[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (!/^card\d+$/u.test(key) || typeof value !== 'object' || value === null) continue;
    const card = value as Record<string, unknown>;
    const vram = Number(pick(card, 'VRAM Total Memory (B)'));
    const series = pick(card, 'Card Series', 'Card series', 'Device Name');
    const model = pick(card, 'Card Model', 'Card model');
    const use = Number(pick(card, 'GPU use (%)'));
    gpus.push({
      vendor: 'AMD',
      model: series ?? model ?? 'AMD GPU',
      vramBytes: Number.isFinite(vram) && vram > 0 ? vram : null,
      vramSource: Number.isFinite(vram) && vram > 0 ? 'rocm-smi' : 'unknown',
      sharedMemory: false,
      driver: pick(card, 'Driver version') ?? systemDriver,
      cudaVersion: null,
      computeCapability: pick(card, 'GFX Version'),
      powerLimitW: null,
      temperatureC: null,
      utilizationPercent: Number.isFinite(use) ? use : null,
      busId: pick(card, 'PCI Bus'),
      mig: null,
    });
  }
  return gpus;
}
