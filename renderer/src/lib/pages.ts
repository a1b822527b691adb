/**
 * The sidebar's pages. Every capability's entry is already here; a capability plugs its page in
 * with two lines (an import and a `components` entry, under the markers), and the page shows
 * once its capability is also in `app:info.capabilities` (main/api/app.ts). Until then the entry's
 * `coming` sentences say what it will do. See renderer/README.md.
 */
import type { Component } from 'svelte';
import type { IconName } from '../components/icons.js';
import About from '../pages/About.svelte';
import Data from '../pages/Data.svelte';
// capabilities: page imports below this line
import Hardware from '../pages/Hardware.svelte';
import Models from '../pages/Models.svelte';
import Pilots from '../pages/Pilots.svelte';
import Roi from '../pages/Roi.svelte';

/** Page components by page id. */
const components: Record<string, Component> = {
  data: Data,
  about: About,
  // capabilities: page components below this line
  hardware: Hardware,
  models: Models,
  pilots: Pilots,
  roi: Roi,
};

export interface PageEntry {
  /** The route, `#/<id>`. */
  id: string;
  label: string;
  icon: IconName;
  /** The capability that must be in `app:info.capabilities` for the page to show; null: always. */
  capability: string | null;
  /** One line under the page title. */
  summary: string;
  /** What the page will do, shown while its capability is not built: honest, short. */
  coming: string[];
  /** The page itself; null until a capability registers it in `components`. */
  component: Component | null;
}

const entries: Omit<PageEntry, 'component'>[] = [
  {
    id: 'hardware',
    label: 'Hardware',
    icon: 'cpu',
    capability: 'hardware',
    summary: 'Is this machine ready for deep learning?',
    coming: [
      'This page will profile the machine the workbench runs on: CPU, memory, disk, and any NVIDIA GPU with its driver and CUDA versions.',
      'It will run short measured benchmarks and say plainly which kinds of pilots the machine can train, and which need a bigger one.',
    ],
  },
  {
    id: 'data',
    label: 'Data',
    icon: 'table',
    capability: 'data',
    summary: 'Register CSV and TSV files, and notice when they change.',
    coming: [],
  },
  {
    id: 'pilots',
    label: 'Pilots',
    icon: 'flask',
    capability: 'pilots',
    summary: 'Guided training of a first model on your data.',
    coming: [
      'This page will check a dataset\'s quality and bias (missing values, outliers, label balance, differences between groups) before anything is trained.',
      'It will then train a small model on the machine, with live loss curves, and compare it with a simple baseline so the result can be judged honestly.',
    ],
  },
  {
    id: 'models',
    label: 'Models',
    icon: 'box',
    capability: 'models',
    summary: 'Trained models, their versions and their drift.',
    coming: [
      'This page will keep every trained model version with the data, settings and metrics it came from.',
      'It will compare new data against the training data and warn when the inputs drift far enough that a model\'s results should no longer be trusted.',
    ],
  },
  {
    id: 'roi',
    label: 'ROI',
    icon: 'chart',
    capability: 'roi',
    summary: 'Costs, benefits and the business case of a pilot.',
    coming: [
      'This page will turn a pilot\'s costs (hardware, people, time) and expected benefits into monthly cash flows, payback time and net present value.',
      'It will show how sensitive the result is to each assumption, and compare buying hardware with renting it.',
    ],
  },
  {
    id: 'about',
    label: 'Settings',
    icon: 'gear',
    capability: null,
    summary: 'About this workbench, its data and its appearance.',
    coming: [],
  },
];

export const pages: PageEntry[] = entries.map((entry) => ({ ...entry, component: components[entry.id] ?? null }));
