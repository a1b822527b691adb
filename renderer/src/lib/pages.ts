/**
 * The sidebar's pages, in order, each with its component. A new page is one import and one entry.
 */
import type { Component } from 'svelte';
import type { IconName } from '../components/icons.js';
import About from '../pages/About.svelte';
import Data from '../pages/Data.svelte';
import Glossary from '../pages/Glossary.svelte';
import Hardware from '../pages/Hardware.svelte';
import Models from '../pages/Models.svelte';
import Pilots from '../pages/Pilots.svelte';
import Roi from '../pages/Roi.svelte';
import Start from '../pages/Start.svelte';

export interface PageEntry {
  /** The route, `#/<id>`. */
  id: string;
  label: string;
  icon: IconName;
  /** One line under the page title. */
  summary: string;
  component: Component;
}

export const pages: readonly PageEntry[] = [
  { id: 'start', label: 'Start here', icon: 'flag', summary: 'A first session in four steps, offline, with an example dataset.', component: Start },
  { id: 'hardware', label: 'Hardware', icon: 'cpu', summary: 'Is this machine ready for deep learning?', component: Hardware },
  { id: 'data', label: 'Data', icon: 'table', summary: 'Register CSV and TSV files, score their quality and bias, and notice when they change.', component: Data },
  { id: 'pilots', label: 'Pilots', icon: 'flask', summary: 'Guided training of a first model on your data.', component: Pilots },
  { id: 'models', label: 'Models', icon: 'box', summary: 'Trained models, their versions and their drift.', component: Models },
  { id: 'roi', label: 'ROI', icon: 'chart', summary: 'Costs, benefits and the business case of a pilot.', component: Roi },
  { id: 'glossary', label: 'Glossary', icon: 'book', summary: 'Every figure, test and chart in plain words, with its formal name.', component: Glossary },
  { id: 'about', label: 'Settings', icon: 'gear', summary: 'About this workbench, its data and its appearance.', component: About },
];
