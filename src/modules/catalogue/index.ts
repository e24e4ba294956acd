// The catalogue module: titles (national and local-only), works grouping their formats,
// contributors, identifiers and the physical copies each library holds. Other modules use it only
// through what this file exports.
import type { FastifyInstance } from 'fastify';
import './catalogue.tables.ts';
import { catalogueRoutes } from './catalogue.routes.ts';
import { registerCataloguePages } from './catalogue.pages.tsx';
export { provideTitleActions, type TitleActions } from './catalogue.pages.tsx';

export type { TitleTable, ItemTable, WorkTable, ContributorTable, TitleContributorTable, SearchVocabularyTable } from './catalogue.tables.ts';
export {
  FORMATS, FORMAT_INFO, DIGITAL_FORMATS, AUDIENCES, AUDIENCE_LABEL, AVI_LEVELS, ITEM_STATUSES, ITEM_STATUS_LABEL, ROLE_LABEL,
  languageLabel, type FormatCode, type AudienceCode, type AviLevel, type ItemStatus,
} from './formats.ts';
export { summariseAvailability, type Availability, type BranchAvailability } from './availability.ts';
export { parseIsbn, normaliseIsbn } from './isbn.ts';
export { parseBarcode, normalisePpn } from './identifiers.ts';
export {
  getTitle, listItems, getItem, createLocalTitle, addItem, type TitleDetail, type FormatView, type ItemView, type LocalTitleInput,
} from './catalogue.service.ts';
export { seedDemoCatalogue, refreshSearchStatistics } from './catalogue.seed.ts';
// discovery reads the catalogue tables with the same visibility rule
export { visibleTo, visibleToSql } from './catalogue.repository.ts';
export { AvailabilitySchema } from './catalogue.routes.ts';
// MARC 21 import and export (CLI, seed)
export { readMarcFile, readIso2709, readMarcXml, type ReadResult } from './marc-reader.ts';
export { importMarcRecords, seedMarcTestRecords, type ImportReport, type ImportTarget, type RecordProblem } from './marc-import.service.ts';
export { exportMarcXml } from './marc-export.service.ts';

export async function catalogueModule(app: FastifyInstance): Promise<void> {
  await catalogueRoutes(app);
  await registerCataloguePages(app);
}
