// Availability of a title at one library, per branch, from its copies. Pure: the service loads
// the copies, this decides what "available" means. A copy counts as available only when it is on
// the shelf; copies on loan, in transit or on the holds shelf can be reserved; missing and
// withdrawn copies do not count at all.
import type { ItemStatus } from './formats.ts';
import { collator } from '../../shared/collation.ts';

export interface CopyLike {
  branchSlug: string;
  branchName: string;
  shelf: string;
  status: ItemStatus;
  /** Copies alike in branch, shelf and status that this one stands for (a search's grouped copies); 1 when absent. */
  n?: number;
}

export interface BranchAvailability {
  branchSlug: string;
  branchName: string;
  copies: number;
  available: number;
  shelves: string[];
}

export interface Availability {
  copies: number;
  available: number;
  branches: BranchAvailability[];
}

const COUNTED: ReadonlySet<ItemStatus> = new Set(['available', 'on_loan', 'in_transit', 'on_hold_shelf', 'in_processing']);

export function summariseAvailability(copies: CopyLike[]): Availability {
  const byBranch = new Map<string, BranchAvailability>();
  for (const c of copies) {
    if (!COUNTED.has(c.status)) continue;
    const b = byBranch.get(c.branchSlug) ?? { branchSlug: c.branchSlug, branchName: c.branchName, copies: 0, available: 0, shelves: [] };
    const n = c.n ?? 1;
    b.copies += n;
    if (c.status === 'available') b.available += n;
    if (c.shelf && !b.shelves.includes(c.shelf)) b.shelves.push(c.shelf);
    byBranch.set(c.branchSlug, b);
  }
  const branches = [...byBranch.values()].sort((a, b) => b.available - a.available || collator('nl').compare(a.branchName, b.branchName));
  return {
    copies: branches.reduce((n, b) => n + b.copies, 0),
    available: branches.reduce((n, b) => n + b.available, 0),
    branches,
  };
}
