/**
 * Panels other capabilities show for one dataset on the Data page (a quality report, say). Each
 * adds a button to the dataset's row; the panel opens under the row with the dataset as its prop.
 * A capability adds two lines under the markers (docs/EXTENDING.md).
 */
import type { Component } from 'svelte';
import type { Dataset } from '../../../main/contract/index.js';
// capabilities: dataset panel imports below this line

export interface DatasetPanel {
  /** Unique, e.g. `quality`. */
  id: string;
  /** The row button's text, e.g. "Quality". */
  label: string;
  /** Shown only when this is in `app:info.capabilities`. */
  capability: string;
  component: Component<{ dataset: Dataset }>;
}

export const datasetPanels: DatasetPanel[] = [
  // capabilities: dataset panels below this line
];
