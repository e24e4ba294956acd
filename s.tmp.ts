import { readMarcFile } from './src/modules/catalogue/marc-reader.ts';
import { mapMarcRecord } from './src/modules/catalogue/marc-map.ts';
for (const f of ['marc4j/cyrillic_capital_e.mrc','evergreen/hebrew.marc','marc4j/greekmissingcharsetchange.mrc','evergreen/lul_fre_100.mrc','evergreen/FSL.marc', 'marc4j/brkrtest.mrc']) {
  let i=0; for await (const r of readMarcFile('test/fixtures/marc21/'+f)) { if (!r.record || i++>2) continue; const t = mapMarcRecord(r.record); const f880 = r.record.fields.filter(x=>x.tag==='880').slice(0,2).map(x=>'subfields' in x ? x.subfields.map(s=>s[1]).join('|') : ''); console.log(f, r.position.record, r.encoding, t.sourceId, '|', t.title, '|', t.contributors.map(c=>c.name).join(';'), '|', f880.join(' // ')); }
}
