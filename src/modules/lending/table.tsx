// The frame every lending table shares: a scrollable wrapper, an NL Design System table with a
// caption and column headers; the caller gives the body rows.
import type { ComponentChildren } from 'preact';

export function DataTable({ caption, head, children }: { caption: string; head: string[]; children: ComponentChildren }) {
  return (
    <div class="eb-table-wrap">
      <table class="utrecht-table">
        <caption class="utrecht-table__caption">{caption}</caption>
        <thead class="utrecht-table__header"><tr class="utrecht-table__row">{head.map((h) => <th class="utrecht-table__header-cell" scope="col">{h}</th>)}</tr></thead>
        <tbody class="utrecht-table__body">{children}</tbody>
      </table>
    </div>
  );
}
