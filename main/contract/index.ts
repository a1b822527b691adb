/**
 * Every channel between the renderer and the main process, in one map. The same
 * map serves Electron IPC and serve mode's HTTP API, and the renderer's client is generic over
 * its keys. The renderer imports only types from here.
 */
import type { z } from 'zod';
import { appChannels } from './app.js';
import { joinDistinct } from './define.js';
import { datasetChannels } from './datasets.js';
import { qualityChannels } from './quality.js';
import { hardwareChannels } from './hardware.js';
import { modelChannels } from './models.js';
import { pilotsChannels } from './pilots.js';
import { roiChannels } from './roi.js';
import { driftChannels } from './drift.js';
import { anomalyChannels } from './anomaly.js';
import { exportChannels } from './export.js';
import { gpuChannels } from './gpu.js';
import { servingChannels } from './serving.js';
import { textChannels } from './text.js';
import { imageChannels } from './images.js';
import { forecastChannels } from './forecast.js';
import { tryitChannels } from './tryit.js';
import { tryitKindChannels } from './tryit-kinds.js';

export const channels = joinDistinct(
  'channel',
  appChannels,
  datasetChannels,
  qualityChannels,
  hardwareChannels,
  modelChannels,
  pilotsChannels,
  roiChannels,
  driftChannels,
  gpuChannels,
  textChannels,
  imageChannels,
  anomalyChannels,
  exportChannels,
  servingChannels,
  forecastChannels,
  tryitChannels,
  tryitKindChannels,
);

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
/** What a caller sends (before defaults are applied). */
export type ChannelInput<K extends ChannelName> = z.input<Channels[K]['input']>;
/** What a handler receives (validated, defaults applied). */
export type ChannelParsed<K extends ChannelName> = z.output<Channels[K]['input']>;
export type ChannelOutput<K extends ChannelName> = NonNullable<Channels[K]['output']>;

export type { AppInfo, SettingKey } from './app.js';
export type { DatasetCheck, Sample } from './datasets.js';
export type { QualityOutcome, QualityScoreStarted } from './quality.js';
export type { QualityOptions, QualityReportRecord, QualityReportSummary } from '../../db/quality.js';
export type { QualityReport, ColumnReport as QualityColumn, Alert as QualityAlert, AttributeBias, GroupReport as QualityGroup, CorrelationPair } from '../../workers/quality/report.js';
export type { HardwareDiff, HardwareImported } from './hardware.js';
export type { GpuLibrariesOutcome, GpuLibraryCheck, LibraryCheck } from './gpu.js';
export type { HardwareProfileRecord, HardwareProfileSummary } from '../../db/hardware.js';
export type { HardwareReport, Verdict as HardwareVerdict, GpuInfo, BackendStatus as HardwareBackendStatus } from '../../workers/profiler/types.js';
export type { ProfileChange } from '../../workers/profiler/diff.js';
export type { BundleWritten, CompareRow, Comparison, Evaluation, Lineage, ModelAction, ModelEvent, ModelHistory, ProductionAt, RegistryVersion, Rollback, RollbackPlan, Stage, StageChange, TrendPoint, VersionDetail, VersionFacts } from './models.js';
export type { EvaluationResult, MetricDifference } from '../../workers/evaluate/index.js';
export type { Baseline, ColumnInfo, DatasetInspection, ModelVersion, PredictOutcome, Project, ProjectDetail, ProjectSummary, Run, RunDetail, TrainOutcome, TrainStarted } from './pilots.js';
export type { RoiBuyVsRent, RoiCaseSummary, RoiComputed, RoiFieldsInfo, RoiSaved, RoiState } from './roi.js';
export type { PilotVerdict, Finding as VerdictFinding } from '../verdict/pilot.js';
export type { Comparison as ModelComparison } from '../../workers/trainer/significance.js';
export type { DriftHistoryEntry, DriftReportRecord } from '../../db/drift.js';
export type { DriftWatchEvent, DriftWatchSetting } from './drift.js';
export type { DriftReport, ColumnDrift, Overlay } from '../../workers/drift/index.js';
export type { CardWritten, PackageWritten, MetricInterval } from './export.js';
export type { Published, PublicationStatus, Publication, ServingStats } from './serving.js';
export type { ExportWritten, FolderExport } from './models.js';
export type { ForecastPreviewOutcome, ForecastTrainOutcome, ForecastTrainStarted } from './forecast.js';
export type { ApiError, Result } from '../errors.js';
export type { Dataset } from '../../db/datasets.js';
export type { ImageTrainStarted } from './images.js';
export type { JobError, JobStatus } from '../../db/jobs.js';
/** A job as the renderer sees it: any kind, discriminated by `kind`. */
export type { AnyJob as Job, AnyJob, AnyJobEvent as JobEvent, JobOf, JobOutcome, PushEvent } from './jobs.js';
export type { ColumnRange, DownloadReady, Explanation, TryField, TrySchema, TryitResult } from './tryit.js';
export type { PersonalDataCounts, TriedDocument, TriedPicture, TryAbout, TryitImageResult, TryitTextResult } from './tryit-kinds.js';
