// Membership in a real browser (architecture §7): sign-up, login, consents and the account and
// staff pages meet WCAG 2.1 AA by axe-core under three brands; the whole sign-up — postcode, plan,
// details, consent, the confirmation mail, signing in — is doable by keyboard alone, and also
// without JavaScript, where a member then changes a consent and signs out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { axeViolations, formatViolations } from '../support/axe.ts';
import { buildAccount, grantStaff, signIn } from '../support/auth.ts';
import { startBrowserApp, type BrowserApp } from '../support/browser-app.ts';
import { assertFocusVisible, assertPageBasics, focused, tabTo, type Focused } from '../support/page-checks.ts';
import type { TestApp } from '../support/app.ts';

let t: TestApp;
let origin: string;
let browser: Browser;

let env: BrowserApp;
before(async () => {
  env = await startBrowserApp();
  ({ t, origin, browser } = env);
});
after(async () => { await env?.close(); });

const PASSWORD = 'een lange zin als wachtwoord';
let n = 0;
const uniqueEmail = (what: string) => `${what}${process.pid}x${n++}@example.org`;

async function h1(page: Page): Promise<string> {
  return (await page.locator('h1').innerText()).trim();
}

/** One h1, no skipped heading levels, a skip link, and zero axe-core violations (WCAG 2.1 AA). */
async function assertAccessible(page: Page, label: string): Promise<void> {
  await assertPageBasics(page, label);
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `${label}: axe found violations\n${formatViolations(violations)}`);
}

async function visit(page: Page, path: string, status = 200): Promise<void> {
  const res = await page.goto(`${origin}${path}`);
  assert.equal(res?.status(), status, `${path}: status`);
}

/** Submits a form by clicking its button and waits for the answer to the POST. */
async function submit(page: Page, button: string | Locator): Promise<number> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    (typeof button === 'string' ? page.getByRole('button', { name: button, exact: true }) : button).click(),
  ]);
  await page.waitForLoadState();
  return res.status();
}

/** The login page has two forms (e-mail, card): the button of the e-mail form. */
function emailLoginButton(page: Page): Locator {
  return page.getByRole('form', { name: 'Met e-mailadres' }).getByRole('button', { name: 'Inloggen' });
}

/** Presses Tab once and checks where the focus went: the logical order of the form. */
async function tabNext(page: Page, id: string): Promise<Focused> {
  await page.keyboard.press('Tab');
  const f = await focused(page);
  assert.equal(f.id, id, `Tab moves from the previous control to #${id}`);
  assertFocusVisible(f, `#${id}`);
  return f;
}

/** The confirmation link in the newest verification mail to `email`, read from /dev/mail. */
async function verificationLink(page: Page, email: string): Promise<string> {
  await visit(page, '/dev/mail');
  const mail = page.locator('article.eb-mail', { hasText: email }).first();
  const body = await mail.locator('pre').innerText();
  const link = /https?:\/\/\S+\/mijn\/bevestigen\?token=\S+/.exec(body)?.[0];
  assert.ok(link, `the mail to ${email} holds a confirmation link:\n${body}`);
  assert.ok(link.startsWith(origin), 'the link leads to this server');
  return link;
}

async function signUpByApi(postcode: string, familyName: string): Promise<{ id: string; email: string }> {
  const email = uniqueEmail('lid');
  const res = await fetch(`${origin}/api/v1/accounts`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ postcode, plan: 'volwassen', email, password: PASSWORD, givenName: 'Anna', familyName,
      birthDate: '1985-05-05', street: 'Stationsweg', houseNumber: '3', city: 'Dorp', pin: '2580' }),
  });
  assert.equal(res.status, 202, `POST /api/v1/accounts: ${await res.text()}`);
  const { id } = await t.db.kysely.selectFrom('account').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return { id, email };
}

const BRANDS = [
  { slug: 'utrecht', postcode: '3512 JK' },
  { slug: 'amsterdam', postcode: '1011 AB' },
  { slug: 'fryslan', postcode: '8911 AB' },
];

describe('WCAG 2.1 AA by axe-core', () => {
  // Zero violations only means something if axe really runs inside these CSP-protected pages.
  test('axe runs in the sign-up form and reports a field that loses its label', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await visit(page, '/utrecht/aanmelden?postcode=3512%20JK');
      await page.evaluate(() => document.querySelector('label[for="givenName"]')?.remove());
      const violations = await axeViolations(page);
      assert.deepEqual(violations.map((v) => v.id), ['label'], formatViolations(violations));
    } finally {
      await context.close();
    }
  });

  // Each brand has its own colours: contrast must hold under every token set, not just one.
  for (const { slug, postcode } of BRANDS) {
    describe(`the membership pages of ${slug}`, () => {
      let context: BrowserContext;
      let page: Page;
      const familyName = `Toegankelijk${slug.replace(/\W/g, '')}`;
      before(async () => {
        context = await browser.newContext();
        page = await context.newPage();
      });
      after(async () => { await context.close(); });

      test('sign-up step 1: the postcode', async () => {
        await visit(page, `/${slug}/aanmelden`);
        await assertAccessible(page, `/${slug}/aanmelden`);
      });

      test('sign-up step 1 with an unknown postcode shows its error', async () => {
        await visit(page, `/${slug}/aanmelden?postcode=abc`);
        assert.equal(await page.locator('#postcode').getAttribute('aria-invalid'), 'true');
        await assertAccessible(page, `/${slug}/aanmelden?postcode=abc`);
      });

      test('sign-up step 2: plans, details and consents', async () => {
        await visit(page, `/${slug}/aanmelden?postcode=${encodeURIComponent(postcode)}`);
        assert.ok(await page.locator('input[name="plan"]').count() >= 2, 'the plans are shown');
        await assertAccessible(page, `/${slug}/aanmelden?postcode=${postcode}`);
      });

      test('sign-up step 2 again with inline errors after a bad submit', async () => {
        await visit(page, `/${slug}/aanmelden?postcode=${encodeURIComponent(postcode)}`);
        await page.locator('#plan-volwassen').check();
        await page.locator('#givenName').fill('Ab');
        await page.locator('#email').fill('geen-adres');
        await page.locator('#password').fill('kort');
        await page.locator('#pin').fill('1111');
        await page.locator('#phone').fill('x');
        assert.equal(await submit(page, 'Aanmelden'), 422);
        assert.ok(await page.locator('.utrecht-alert--error').isVisible(), 'the error summary is shown');
        for (const field of ['familyName', 'email', 'password', 'birthDate', 'street', 'houseNumber', 'city', 'pin', 'phone']) {
          assert.equal(await page.locator(`#${field}`).getAttribute('aria-invalid'), 'true', `#${field} is marked invalid`);
        }
        assert.equal(await page.locator('#givenName').inputValue(), 'Ab', 'typed values stay');
        await assertAccessible(page, `POST /${slug}/aanmelden (422)`);
      });

      test('sign-up without a plan explains the problem', async () => {
        await visit(page, `/${slug}/aanmelden?postcode=${encodeURIComponent(postcode)}`);
        const status = await submit(page, 'Aanmelden');
        assert.ok(status >= 400 && status < 500, `status ${status}`);
        await assertAccessible(page, `POST /${slug}/aanmelden without a plan (${status})`);
      });

      test('a postcode of another municipality points to that library', async () => {
        const other = slug === 'utrecht' ? '1011 AB' : '3512 JK';
        await visit(page, `/${slug}/aanmelden?postcode=${encodeURIComponent(other)}`);
        assert.equal(await page.locator('input[name="plan"]').count(), 0);
        await assertAccessible(page, `/${slug}/aanmelden?postcode=${other}`);
      });

      test('"check your mail" after signing up', async () => {
        await visit(page, `/${slug}/aanmelden/verstuurd`);
        assert.equal(await h1(page), 'Kijk in uw mail');
        await assertAccessible(page, `/${slug}/aanmelden/verstuurd`);
      });

      test('the confirmation page, also for a link that no longer works', async () => {
        const { email } = await signUpByApi(postcode, `Bevestiging${slug.replace(/\W/g, '')}`);
        await page.goto(await verificationLink(page, email));
        assert.equal(await h1(page), 'E-mailadres bevestigd');
        await assertAccessible(page, `/${slug}/mijn/bevestigen`);
        await visit(page, `/${slug}/mijn/bevestigen?token=ongeldig`, 410);
        assert.equal(await h1(page), 'Deze link werkt niet meer');
        await assertAccessible(page, `/${slug}/mijn/bevestigen?token=ongeldig`);
      });

      test('sign in, and the same page after a failed login', async () => {
        await visit(page, `/${slug}/inloggen`);
        await assertAccessible(page, `/${slug}/inloggen`);
        await page.locator('#email').fill(uniqueEmail('onbekend'));
        await page.locator('#password').fill('verkeerd wachtwoord');
        assert.equal(await submit(page, emailLoginButton(page)), 401);
        assert.match(await page.locator('.utrecht-alert--error').innerText(), /klopt niet/);
        await assertAccessible(page, `POST /${slug}/inloggen (401)`);
      });

      test('forgot password and choose a new password', async () => {
        await visit(page, `/${slug}/wachtwoord-vergeten`);
        await assertAccessible(page, `/${slug}/wachtwoord-vergeten`);
        await page.locator('#email').fill('geen-adres');
        assert.equal(await submit(page, 'Stuur mij een link'), 400);
        await assertAccessible(page, `POST /${slug}/wachtwoord-vergeten (400)`);
        await visit(page, `/${slug}/wachtwoord-herstellen?token=x`);
        await assertAccessible(page, `/${slug}/wachtwoord-herstellen?token=x`);
        await page.locator('#password').fill(PASSWORD);
        const status = await submit(page, 'Opslaan');
        assert.ok(status >= 400 && status < 500, `an unknown token is refused (${status})`);
        await assertAccessible(page, `POST /${slug}/wachtwoord-herstellen (${status})`);
      });

      test('Mijn bibliotheek and two-step verification, signed in through the login form', async () => {
        const { email } = await signUpByApi(postcode, familyName);
        await visit(page, `/${slug}/inloggen`);
        await page.locator('#email').fill(email);
        await page.locator('#password').fill(PASSWORD);
        await Promise.all([page.waitForURL(new RegExp(`/${slug}/mijn$`)), emailLoginButton(page).click()]);
        assert.equal(await h1(page), 'Mijn bibliotheek');
        assert.ok(await page.getByText(`Anna ${familyName}`).isVisible());
        await assertAccessible(page, `/${slug}/mijn`);
        await visit(page, `/${slug}/mijn?bericht=toestemmingen`);
        await assertAccessible(page, `/${slug}/mijn?bericht=toestemmingen`);
        await visit(page, `/${slug}/mijn/tweestaps`);
        await assertAccessible(page, `/${slug}/mijn/tweestaps`);
        await page.locator('#code').fill('12');
        assert.equal(await submit(page, 'Bevestigen'), 400);
        assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');
        await assertAccessible(page, `POST /${slug}/mijn/tweestaps (400)`);
      });

      test('the staff area: member search, the reason asked, the member view', async () => {
        const desk = await buildAccount(t, { librarySlug: slug });
        await grantStaff(t, desk.id, slug, 'desk');
        const staff = await browser.newContext();
        try {
          await staff.addCookies(Object.entries(await signIn(t, desk.id)).map(([name, value]) => ({ name, value, url: origin })));
          const p = await staff.newPage();
          await visit(p, `/${slug}/staff`);
          await assertAccessible(p, `/${slug}/staff`);
          await visit(p, `/${slug}/staff?q=${familyName}`);
          const member = p.getByRole('main').getByRole('link', { name: `Anna ${familyName}`, exact: true });
          assert.equal(await member.count(), 1, 'the member is found');
          await assertAccessible(p, `/${slug}/staff?q=${familyName}`);
          await Promise.all([p.waitForURL(/\/staff\/leden\/[0-9a-f-]+$/), member.click()]);
          assert.equal(await h1(p), 'Waarom bekijkt u dit lid?');
          await assertAccessible(p, `/${slug}/staff/leden/<id>`);
          await Promise.all([p.waitForURL(/\?reden=desk_question$/), p.getByRole('button', { name: 'Gegevens tonen' }).click()]);
          assert.equal(await h1(p), `Anna ${familyName}`);
          await assertAccessible(p, `/${slug}/staff/leden/<id>?reden=desk_question`);
        } finally {
          await staff.close();
        }
      });
    });
  }

  test('the development mail viewer', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await visit(page, '/dev/mail');
      assert.ok(await page.locator('article.eb-mail').count() >= 1, 'there is mail to show');
      await assertAccessible(page, '/dev/mail');
    } finally {
      await context.close();
    }
  });
});

describe('the whole sign-up with the keyboard alone', () => {
  let context: BrowserContext;
  let page: Page;
  before(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  after(async () => { await context.close(); });

  test('postcode, plan, details and consent; the confirmation link; signing in to Mijn bibliotheek', async () => {
    const email = uniqueEmail('toetsenbord');
    const key = (k: string) => page.keyboard.press(k);
    const enterAndWait = (url: RegExp) => Promise.all([page.waitForURL(url), key('Enter')]);

    // step 1: the postcode decides the library
    await visit(page, '/utrecht/aanmelden');
    await tabTo(page, 'postcode field', (f) => f.id === 'postcode');
    await page.keyboard.type('3512 JK');
    await enterAndWait(/\/utrecht\/aanmelden\?postcode=3512/);
    assert.match(await page.getByRole('main').innerText(), /Uw gemeente Utrecht valt onder Bibliotheek Utrecht/);

    // step 2: the plans are one radio group, one Tab stop; Space chooses the focused plan
    const plan = await tabTo(page, 'the first plan', (f) => f.type === 'radio');
    assert.equal(plan.id, 'plan-volwassen');
    assert.equal(plan.checked, false, 'no plan is chosen for the visitor');
    await key('Space');
    assert.equal((await focused(page)).checked, true, 'Space chooses the plan');
    await tabNext(page, 'givenName');
    await page.keyboard.type('Kees');
    await tabNext(page, 'familyName');
    await page.keyboard.type('Toetsenbord');
    await tabNext(page, 'email');
    await page.keyboard.type(email);
    await tabNext(page, 'password');
    await page.keyboard.type(PASSWORD);
    await tabNext(page, 'birthDate');
    // the date field has day, month and year parts in the browser's order; typing the digits fills
    // them in turn (01-01-1970 reads the same whether the browser puts the day or the month first)
    await page.keyboard.type('01011970');
    assert.equal(await page.locator('#birthDate').inputValue(), '1970-01-01');
    await tabTo(page, 'street', (f) => f.id === 'street', 3); // Tab may first pass the date field's later parts
    await page.keyboard.type('Neude');
    await tabNext(page, 'houseNumber');
    await page.keyboard.type('11');
    await tabNext(page, 'city');
    await page.keyboard.type('Utrecht');
    await tabNext(page, 'pin');
    await page.keyboard.type('5830');
    await tabNext(page, 'phone');
    // the consents: Space ticks the first, Shift+Tab and Tab move back and forth without changing anything
    const first = await tabNext(page, 'consent_reading_history');
    assert.equal(first.checked, false, 'no consent is given for the visitor');
    await key('Space');
    assert.equal((await focused(page)).checked, true, 'Space ticks the consent');
    await tabNext(page, 'consent_reading_advice');
    await key('Shift+Tab');
    assert.equal((await focused(page)).id, 'consent_reading_history', 'Shift+Tab goes back');
    await tabNext(page, 'consent_reading_advice');
    await tabNext(page, 'consent_newsletter');
    await tabNext(page, 'consent_research');
    await key('Tab');
    const button = await focused(page);
    assert.equal(button.tag, 'button');
    assert.equal(button.text, 'Aanmelden');
    assertFocusVisible(button, 'the sign-up button');
    await enterAndWait(/\/utrecht\/aanmelden\/verstuurd$/);
    assert.equal(await h1(page), 'Kijk in uw mail');

    // the mail: its link confirms the address
    await page.goto(await verificationLink(page, email));
    assert.equal(await h1(page), 'E-mailadres bevestigd');

    // signing in: the menu's "Mijn bibliotheek" leads a signed-out visitor to the login form
    await tabTo(page, 'Mijn bibliotheek in the menu', (f) => f.href === '/utrecht/mijn');
    await enterAndWait(/\/utrecht\/inloggen$/);
    assert.equal(await h1(page), 'Inloggen');
    await tabTo(page, 'e-mail field', (f) => f.id === 'email');
    await page.keyboard.type(email);
    await tabNext(page, 'password');
    await page.keyboard.type(PASSWORD);
    await enterAndWait(/\/utrecht\/mijn$/);
    assert.equal(await h1(page), 'Mijn bibliotheek');
    const main = await page.getByRole('main').innerText();
    assert.match(main, /Kees Toetsenbord/);
    assert.match(main, /Volwassenen/);
    assert.doesNotMatch(main, /Bevestig nog uw e-mailadres/, 'the address is confirmed');
    assert.equal(await page.locator('#consent_reading_history').isChecked(), true, 'the consent given at sign-up is kept');
    assert.equal(await page.locator('#consent_newsletter').isChecked(), false);
  });
});

describe('the whole sign-up without JavaScript', () => {
  let context: BrowserContext;
  let page: Page;
  before(async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
    page = await context.newPage();
  });
  after(async () => { await context.close(); });

  test('from the wrong library to the right one, an error corrected, the mail, Mijn bibliotheek, a consent changed, signing out', async () => {
    const email = uniqueEmail('zonderjs');
    const main = page.getByRole('main');

    // a postcode in Amsterdam, typed on Utrecht's sign-up page, leads to Amsterdam
    await visit(page, '/utrecht/aanmelden');
    await page.locator('#postcode').fill('1011 AB');
    await Promise.all([page.waitForURL(/\/utrecht\/aanmelden\?postcode=1011/), page.getByRole('button', { name: 'Verder' }).click()]);
    await Promise.all([page.waitForURL(/\/amsterdam\/aanmelden\?postcode=1011/), main.getByRole('link', { name: 'Lid worden bij Bibliotheek Amsterdam' }).click()]);
    assert.match(await main.innerText(), /Uw gemeente Amsterdam valt onder Bibliotheek Amsterdam/);

    await page.getByRole('radio', { name: /Volwassenen/ }).check();
    await page.getByLabel('Voornaam').fill('Zora');
    await page.getByLabel('Achternaam').fill('Zonderscript');
    await page.getByLabel('E-mailadres').fill(email);
    await page.getByLabel('Wachtwoord', { exact: true }).fill('te kort');
    await page.getByLabel(/Geboortedatum/).fill('1975-03-04');
    await page.getByLabel(/Straat/).fill('Damrak');
    await page.getByLabel(/Huisnummer/).fill('1');
    await page.getByLabel(/Woonplaats/).fill('Amsterdam');
    await page.getByLabel(/Pincode/).fill('5830');
    await page.getByLabel('Nieuwsbrief').check();
    assert.equal(await submit(page, 'Aanmelden'), 422);

    // the error is next to the field; typed values and choices stay, secrets must be typed again
    assert.match(await page.locator('#password-error').innerText(), /minstens 12 tekens/);
    assert.equal(await page.getByLabel('Voornaam').inputValue(), 'Zora');
    assert.equal(await page.getByRole('radio', { name: /Volwassenen/ }).isChecked(), true);
    assert.equal(await page.getByLabel('Nieuwsbrief').isChecked(), true);
    assert.equal(await page.getByLabel(/Pincode/).inputValue(), '');
    await Promise.all([page.waitForURL(/#password$/), page.locator('.utrecht-alert--error').getByRole('link').click()]);
    await page.getByLabel('Wachtwoord', { exact: true }).fill(PASSWORD);
    await page.getByLabel(/Pincode/).fill('5830');
    await Promise.all([page.waitForURL(/\/amsterdam\/aanmelden\/verstuurd$/), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    assert.equal(await h1(page), 'Kijk in uw mail');

    await page.goto(await verificationLink(page, email));
    assert.equal(await h1(page), 'E-mailadres bevestigd');

    await Promise.all([
      page.waitForURL(/\/amsterdam\/inloggen$/),
      page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn bibliotheek' }).click(),
    ]);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(PASSWORD);
    await Promise.all([page.waitForURL(/\/amsterdam\/mijn$/), emailLoginButton(page).click()]);
    assert.equal(await h1(page), 'Mijn bibliotheek');
    assert.match(await main.innerText(), /Zora Zonderscript/);

    // consents: withdraw the newsletter, give research; they apply at once
    assert.equal(await page.getByLabel('Nieuwsbrief').isChecked(), true);
    await page.getByLabel('Nieuwsbrief').uncheck();
    await page.getByLabel('Anoniem onderzoek').check();
    await Promise.all([page.waitForURL(/\/amsterdam\/mijn\?bericht=toestemmingen$/), page.getByRole('button', { name: 'Opslaan' }).click()]);
    assert.match(await page.getByRole('status').first().innerText(), /toestemmingen zijn opgeslagen/);
    assert.equal(await page.getByLabel('Nieuwsbrief').isChecked(), false);
    assert.equal(await page.getByLabel('Anoniem onderzoek').isChecked(), true);

    // signing out ends the session: Mijn bibliotheek asks to sign in again
    await Promise.all([page.waitForURL(/\/amsterdam\/$/), page.getByRole('button', { name: 'Uitloggen', exact: true }).click()]);
    await Promise.all([
      page.waitForURL(/\/amsterdam\/inloggen$/),
      page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn bibliotheek' }).click(),
    ]);
    assert.equal(await h1(page), 'Inloggen');
  });
});
