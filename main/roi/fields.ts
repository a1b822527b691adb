/**
 * The catalogue of ROI assumptions: one entry per number a person enters, with its unit, help
 * text and plausible range. The input schema, the UI form, the CLI's `--set` and the report's
 * list of assumptions are all generated from this one table, so they cannot disagree.
 */

/** Where a field sits on the form. */
export type RoiFieldGroup = 'hardware' | 'cloud' | 'staff' | 'running' | 'energy' | 'benefit' | 'timeline' | 'scenario';

/** One assumption the user can edit. */
export interface RoiFieldSpec {
  /** Short label for a form or a table row. */
  label: string;
  /** Unit in words; `{currency}` stands for the case's currency code (`fieldUnit` fills it in). */
  unit: string;
  /** One or two sentences for someone who has never built a business case. */
  help: string;
  /** Smallest accepted value (inclusive). */
  min: number;
  /** Largest accepted value (inclusive); above it is treated as a typing or unit mistake. */
  max: number;
  /** Value used when the field is left empty. */
  default: number;
  group: RoiFieldGroup;
  /** Whole numbers only (months). */
  integer: boolean;
  /** Included in the sensitivity (tornado) analysis: varied ±swing % around its value. */
  sensitivity: boolean;
}

/** A catalogue entry with its key, as the UI renders it. */
export interface RoiField extends RoiFieldSpec {
  key: RoiNumericKey;
}

const money = (spec: Omit<RoiFieldSpec, 'integer' | 'sensitivity'> & Partial<RoiFieldSpec>): RoiFieldSpec => ({
  integer: false,
  sensitivity: true,
  ...spec,
});

/** Every numeric assumption. Order = form order. */
export const ROI_FIELD_SPECS = {
  hardwarePrice: money({ group: 'hardware', label: 'Hardware bought', unit: '{currency}', min: 0, max: 1e9, default: 0,
    help: 'Price of hardware bought for this pilot, such as a GPU workstation. It is spread evenly over its useful life; only the months inside the horizon are counted.' }),
  hardwareLifeMonths: money({ group: 'hardware', label: 'Hardware useful life', unit: 'months', min: 1, max: 120, default: 36, integer: true, sensitivity: false,
    help: 'How long the hardware stays in service before it is replaced. Three to five years is usual for workstations.' }),
  cloudGpuHoursPerRun: money({ group: 'cloud', label: 'Cloud GPU hours per training run', unit: 'GPU hours per run', min: 0, max: 1e5, default: 0,
    help: 'GPU hours rented from a cloud provider for one training run, if training runs in the cloud. Leave at 0 when it runs on your own machines.' }),
  cloudGpuRatePerHour: money({ group: 'cloud', label: 'Cloud GPU price', unit: '{currency} per GPU hour', min: 0, max: 1e5, default: 0,
    help: "The provider's price for one GPU hour, including storage and data transfer if they are charged separately." }),
  staffRatePerHour: money({ group: 'staff', label: 'Loaded staff cost', unit: '{currency} per hour', min: 0, max: 1e5, default: 60,
    help: 'What one hour of the people working on the pilot costs: salary plus social charges, office and management overhead, divided by hours worked.' }),
  dataPrepHours: money({ group: 'staff', label: 'Data preparation effort', unit: 'hours, once', min: 0, max: 1e5, default: 40,
    help: 'Hours spent once to collect, clean and document the data before training.' }),
  trainingStaffHours: money({ group: 'staff', label: 'Training and evaluation effort', unit: 'hours, once', min: 0, max: 1e5, default: 24,
    help: 'Hours spent once to train, evaluate and compare the model with the baseline.' }),
  integrationHours: money({ group: 'staff', label: 'Integration effort', unit: 'hours, once', min: 0, max: 1e5, default: 40,
    help: 'Hours spent once to connect the model to the systems and the process that will use it.' }),
  monitoringHoursPerMonth: money({ group: 'staff', label: 'Monitoring effort', unit: 'hours per month', min: 0, max: 1e4, default: 4,
    help: 'Hours each month to watch drift, check results and answer questions about the model.' }),
  retrainStaffHoursPerRun: money({ group: 'staff', label: 'Effort per retraining', unit: 'hours per run', min: 0, max: 1e4, default: 2,
    help: 'Hours of work each time the model is retrained: refresh the data, run the training, check and promote the new version.' }),
  licencesPerMonth: money({ group: 'running', label: 'Licences and subscriptions', unit: '{currency} per month', min: 0, max: 1e8, default: 0,
    help: 'Software licences, support contracts and subscriptions needed by the pilot, per month (an annual fee divided by 12).' }),
  labellingOneOff: money({ group: 'running', label: 'Data labelling, once', unit: '{currency}', min: 0, max: 1e9, default: 0,
    help: 'What labelling the training data costs once, whether done in-house or bought.' }),
  labellingPerMonth: money({ group: 'running', label: 'Data labelling, ongoing', unit: '{currency} per month', min: 0, max: 1e8, default: 0,
    help: 'What labelling new data costs each month, to keep the model up to date.' }),
  pricePerKwh: money({ group: 'energy', label: 'Electricity price', unit: '{currency} per kWh', min: 0, max: 1000, default: 0.25,
    help: 'What your organisation pays for one kilowatt-hour of electricity.' }),
  retrainsPerYear: money({ group: 'energy', label: 'Retraining cadence', unit: 'runs per year', min: 0, max: 365, default: 4,
    help: 'How many times a year the model is retrained on fresh data (12 = monthly, 0.5 = every two years). Each run costs energy, cloud hours and staff time.' }),
  fallbackDevicePowerWatts: money({ group: 'energy', label: 'Device power (if not measured)', unit: 'watts', min: 0, max: 1e5, default: 300, sensitivity: false,
    help: "Electrical power drawn by the training machine. Used only when the workbench has not measured the device's power." }),
  hoursSavedPerMonth: money({ group: 'benefit', label: 'Hours saved', unit: 'hours per month', min: 0, max: 1e7, default: 0,
    help: 'Working hours the model saves each month once everyone uses it (for example, minutes saved per case × cases ÷ 60).' }),
  hourlyValue: money({ group: 'benefit', label: 'Value of an hour saved', unit: '{currency} per hour', min: 0, max: 1e5, default: 50,
    help: 'What an hour saved is worth to the organisation, usually the loaded cost of the people whose time is saved.' }),
  adoptionPercent: money({ group: 'benefit', label: 'Adoption', unit: '%', min: 0, max: 100, default: 80,
    help: 'Share of the people or cases that will really use the model. Hours saved are multiplied by it.' }),
  volumePerMonth: money({ group: 'benefit', label: 'Cases per month', unit: 'cases per month', min: 0, max: 1e9, default: 0,
    help: 'How many cases (orders, tickets, invoices, images…) the model will handle each month.' }),
  todayErrorRatePercent: money({ group: 'benefit', label: "Today's error rate", unit: '%', min: 0, max: 100, default: 0,
    help: "Share of cases handled wrongly today, without the model, as recorded in the pilot's baseline. Compared with the model's measured error rate." }),
  costPerError: money({ group: 'benefit', label: 'Cost of one error', unit: '{currency} per error', min: 0, max: 1e7, default: 0,
    help: 'What one wrong case costs: rework, refunds, penalties, lost customers.' }),
  revenueUpliftPerMonth: money({ group: 'benefit', label: 'Revenue uplift', unit: '{currency} per month', min: 0, max: 1e9, default: 0,
    help: 'Extra margin (not turnover) the model brings each month, for example from better recommendations.' }),
  horizonMonths: money({ group: 'timeline', label: 'Horizon', unit: 'months', min: 1, max: 120, default: 36, integer: true, sensitivity: false,
    help: 'How many months the business case covers. Three years is common for a first pilot.' }),
  monthsToGoLive: money({ group: 'timeline', label: 'Months before go-live', unit: 'months', min: 0, max: 120, default: 3, integer: true, sensitivity: false,
    help: 'Months from the start until the model is in use. Costs run from the start; benefits begin after go-live.' }),
  discountRatePercent: money({ group: 'timeline', label: 'Discount rate', unit: '% per year', min: 0, max: 100, default: 8,
    help: "The return your organisation expects from an investment (its cost of capital). Money later is worth less than money now by this rate." }),
  probabilityOfSuccessPercent: money({ group: 'scenario', label: 'Probability of success', unit: '%', min: 0, max: 100, default: 70, sensitivity: false,
    help: 'How likely the pilot is to reach production and deliver its benefits. The risk-adjusted value counts all costs but only this share of the benefits.' }),
  pessimisticCostPercent: money({ group: 'scenario', label: 'Pessimistic: costs', unit: '% of expected', min: 100, max: 500, default: 120, sensitivity: false,
    help: 'Costs in the pessimistic scenario, as a percentage of the expected costs (120 = 20 % over).' }),
  pessimisticBenefitPercent: money({ group: 'scenario', label: 'Pessimistic: benefits', unit: '% of expected', min: 0, max: 100, default: 70, sensitivity: false,
    help: 'Benefits in the pessimistic scenario, as a percentage of the expected benefits (70 = 30 % short).' }),
  optimisticCostPercent: money({ group: 'scenario', label: 'Optimistic: costs', unit: '% of expected', min: 10, max: 100, default: 90, sensitivity: false,
    help: 'Costs in the optimistic scenario, as a percentage of the expected costs.' }),
  optimisticBenefitPercent: money({ group: 'scenario', label: 'Optimistic: benefits', unit: '% of expected', min: 100, max: 500, default: 130, sensitivity: false,
    help: 'Benefits in the optimistic scenario, as a percentage of the expected benefits.' }),
  sensitivitySwingPercent: money({ group: 'scenario', label: 'Sensitivity swing', unit: '%', min: 1, max: 90, default: 20, sensitivity: false,
    help: 'How far each assumption is moved up and down to see which one moves the net present value most.' }),
} as const satisfies Record<string, RoiFieldSpec>;

/** The key of a numeric assumption. */
export type RoiNumericKey = keyof typeof ROI_FIELD_SPECS;

/** The catalogue as a list the UI can render, in form order. */
export const roiFields: readonly RoiField[] = (Object.keys(ROI_FIELD_SPECS) as RoiNumericKey[]).map((key) => ({
  key,
  ...ROI_FIELD_SPECS[key],
}));

/** The unit with the currency filled in: `fieldUnit(field, 'EUR')` → "EUR per hour". */
export function fieldUnit(field: Pick<RoiFieldSpec, 'unit'>, currency: string): string {
  return field.unit.replaceAll('{currency}', currency);
}
