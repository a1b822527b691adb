/**
 * The kinds of pilot the wizard offers, in the order it lists them. Only kinds whose branch is in
 * this build appear: each kind's branch is a component folder (`pilots/<kind>/`) registered here
 * with one entry. A project opens in the branch of its kind.
 */
import type { Component } from 'svelte';
import type { PilotKind } from '../../../../workers/pilot-result.js';
import AnomalyWizard from './anomaly/AnomalyWizard.svelte';
import { ANOMALY_STEPS } from './anomaly/settings.js';
import ForecastWizard from './forecast/ForecastWizard.svelte';
import { FORECAST_STEPS } from './forecast/settings.js';
import ImageWizard from './image/ImageWizard.svelte';
import { IMAGE_STEPS } from './image/settings.js';
import { STEPS } from './pilots.svelte.js';
import TabularWizard from './tabular/TabularWizard.svelte';
import { TEXT_STEPS } from './text/settings.js';
import TextWizard from './text/TextWizard.svelte';

/** One kind's wizard branch. */
export interface KindBranch {
  kind: PilotKind;
  /** What the user picks, in their words. */
  label: string;
  /** One line on what this kind of pilot answers, with an example. */
  description: string;
  /** The branch's steps, from the kind's first question to a registered model. */
  component: Component;
  /** The names of its steps (the project list says which one a project is at). */
  steps: readonly string[];
}

export const KINDS: readonly KindBranch[] = [
  {
    kind: 'tabular',
    label: 'Rows and columns',
    description: 'Predict a column of a spreadsheet or CSV export from the others: will this customer leave, is this claim fraud, how many units next week.',
    component: TabularWizard,
    steps: STEPS,
  },
  {
    kind: 'image',
    label: 'Pictures',
    description: 'Sort photos or scans into classes from a folder with one subfolder per class: defect or fine, which product, which form.',
    component: ImageWizard,
    steps: IMAGE_STEPS,
  },
  {
    kind: 'text',
    label: 'Documents and messages',
    description: 'Sort tickets, e-mails or documents into classes from their text: which team should answer, is this spam, what is the complaint about.',
    component: TextWizard,
    steps: TEXT_STEPS,
  },
  {
    kind: 'anomaly',
    label: 'Unusual cases',
    description: 'Learn what normal rows of a table look like, then flag the ones that do not fit: a fraudulent charge, a machine about to fail, a hacked account. Labels are optional.',
    component: AnomalyWizard,
    steps: ANOMALY_STEPS,
  },
  {
    kind: 'forecast',
    label: 'What comes next',
    description: 'Forecast a number over time from its history: rentals next hour, sales next week, load tomorrow, one series or one per shop or machine.',
    component: ForecastWizard,
    steps: FORECAST_STEPS,
  },
];

/** The branch of a kind, when this build has one. */
export function branchOf(kind: PilotKind): KindBranch | undefined {
  return KINDS.find((branch) => branch.kind === kind);
}

/** "a tabular", "an image", … for sentences about a project of that kind. */
export function kindLabel(kind: PilotKind): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}
