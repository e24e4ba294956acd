// The branded mail layout: one content, a text part and an HTML part, both with the library's
// name, address, contact and portal; the HTML in the library's colours, with text escaped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brandedMail, type MailBrand } from './mail-layout.tsx';

const brand: MailBrand = {
  name: 'Bibliotheek Testdorp',
  brand: { primary: '#123456', accent: '#0a4f7a', tint: '#eef4fa' },
  logoSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48"/></svg>',
  email: 'info@testdorp.example',
  phone: '0800-1234',
  address: 'Dorpsstraat 1, 1234 AB Testdorp',
  portalUrl: 'https://testdorp.example/',
};

test('the text part: the library\'s name as a heading, the message, the list, the action and a signature with address and contact', () => {
  const m = brandedMail(brand, { lang: 'nl', subject: 'Onderwerp', intro: ['Eerste alinea.'], list: ['Boek A', 'Boek B'], outro: ['Tot slot.'], action: { label: 'Naar Mijn bibliotheek', href: 'https://testdorp.example/mijn' } });
  assert.equal(m.subject, 'Onderwerp');
  assert.equal(m.bodyText, [
    'Bibliotheek Testdorp\n====================',
    'Eerste alinea.',
    '- Boek A\n- Boek B',
    'Tot slot.',
    'Naar Mijn bibliotheek: https://testdorp.example/mijn',
    'Met vriendelijke groet,\nBibliotheek Testdorp\nDorpsstraat 1, 1234 AB Testdorp\nTelefoon: 0800-1234 · E-mail: info@testdorp.example\nhttps://testdorp.example/',
  ].join('\n\n'));
});

test('the HTML part: language, the brand colours, the logo as an image, the action as a link, and text never read as markup', () => {
  const m = brandedMail(brand, { lang: 'en', subject: 'Due <soon> & "now"', intro: ['<script>alert(1)</script>'], action: { label: 'Go', href: 'https://testdorp.example/mijn?lang=en' } });
  assert.match(m.bodyHtml, /^<!doctype html><html lang="en">/);
  assert.ok(m.bodyHtml.includes('<title>Due &lt;soon> &amp; &quot;now&quot;</title>'));
  assert.ok(!m.bodyHtml.includes('<script>'));
  assert.ok(m.bodyHtml.includes('&lt;script>alert(1)&lt;/script>'));
  assert.ok(m.bodyHtml.includes('background:#123456'), 'header and button in the primary colour');
  assert.ok(m.bodyHtml.includes('color:#0a4f7a'), 'links in the accent colour');
  assert.ok(m.bodyHtml.includes(`src="data:image/svg+xml;base64,${Buffer.from(brand.logoSvg).toString('base64')}"`));
  assert.ok(m.bodyHtml.includes('href="https://testdorp.example/mijn?lang=en"'));
  assert.match(m.bodyHtml, /Kind regards,/);
  assert.match(m.bodyText, /Phone: 0800-1234/);
});
