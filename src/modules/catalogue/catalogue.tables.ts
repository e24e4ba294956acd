// Kysely types of the catalogue tables (db/migrations/0020_catalogue.sql), added to the platform's
// Database interface by module augmentation so the platform file stays untouched.
import type { ColumnType, Generated } from 'kysely';
import type { AudienceCode, AviLevel, FormatCode, ItemStatus } from './formats.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface WorkTable {
  id: Generated<string>;
  ownerLibraryId: string | null;
  createdAt: Generated<Timestamp>;
}

export interface ContributorTable {
  id: Generated<string>;
  name: string;
  sortName: string;
}

export interface TitleTable {
  id: Generated<string>;
  workId: string;
  ownerLibraryId: string | null;
  source: string;
  sourceId: string;
  format: FormatCode;
  title: string;
  subtitle: string | null;
  /** Written by the trigger. */
  sortTitle: Generated<string>;
  contributorNames: Generated<string>;
  language: string | null;
  year: number | null;
  yearDisplay: string | null;
  edition: string | null;
  publisher: string | null;
  series: string | null;
  seriesNumber: string | null;
  genres: ColumnType<string[], string[] | undefined, string[]>;
  subjects: ColumnType<string[], string[] | undefined, string[]>;
  audience: AudienceCode | null;
  aviLevel: AviLevel | null;
  isbn: string | null;
  ppn: string | null;
  description: string | null;
  openAccessUrl: string | null;
  popularity: Generated<number>;
  /** Written by the trigger. */
  searchVector: Generated<string>;
  /** Branches (of any library) with a copy not missing or withdrawn; kept by the item triggers (migration 0104). */
  holdings: Generated<string[]>;
  createdAt: Generated<Timestamp>;
  updatedAt: Generated<Timestamp>;
}

export interface TitleContributorTable {
  titleId: string;
  position: number;
  contributorId: string;
  role: string;
}

export interface ItemTable {
  libraryId: string;
  id: Generated<string>;
  titleId: string;
  branchId: string;
  barcode: string;
  shelf: Generated<string>;
  status: ColumnType<ItemStatus, ItemStatus | undefined, ItemStatus>;
  /** Set while in transit (0070_lending.sql): the branch the copy is going to. */
  transitToBranchId: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: Generated<Timestamp>;
}

export interface SearchVocabularyTable {
  word: string;
  ndoc: number;
}

declare module '../../platform/db/database.ts' {
  interface Database {
    work: WorkTable;
    contributor: ContributorTable;
    title: TitleTable;
    titleContributor: TitleContributorTable;
    item: ItemTable;
    searchVocabulary: SearchVocabularyTable;
  }
}
