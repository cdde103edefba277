// act.mjs TOP MAILDIR BASE SHOTS: sign in and act on the pages in Debian's Chromium
// (playwright-core, never a browser download): the sign-in link taken from the real SMTP
// server, a step marked done, the press release refused too early, a reminder's "done"
// link confirmed and refused a second time; axe-core on every page; prints TAP-like lines.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { axe, failures, launch, ok } from './lib.mjs';

const [top, maildir, base, shots, out] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The newest link of a kind in the mail to addr whose subject has subj (mailbox.py reads it).
async function linkInMail(addr, subj, kind) {
	const re = new RegExp(`https?://\\S+/${kind}/[A-Za-z0-9_-]{32}`, 'g');
	for (let i = 0; i < 200; i++) {
		let body = '';
		try {
			body = execFileSync('/usr/bin/python3', [join(top, 'tests/e2e/mailbox.py'), maildir,
				'body', '--to', addr, '--subject', subj], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
		} catch (e) { /* no such message yet */ }
		const m = body.match(re);
		if (m) return m[m.length - 1];
		await sleep(100);
	}
	return null;
}

const { ctx, close } = await launch();
const errors = [];
// The refusals this test provokes are answered 409 and 404, which Chromium logs as a failed
// load of that address; any other console error counts.
const expected = [];
ctx.on('console', (m) => {
	if (m.type() !== 'error')
		return;
	const url = m.location().url;
	if (/^Failed to load resource: the server responded with a status of (409|404)/.test(m.text()) &&
	    expected.includes(url))
		return;
	errors.push(`${m.text()} (${url})`);
});
ctx.on('weberror', (e) => errors.push(String(e.error())));

// Sign in as addr through the page and the mailed link; ends on /me.
async function signIn(page, addr) {
	await page.goto(`${base}/signin`);
	await page.getByLabel('E-mailadres').fill(addr);
	await page.getByRole('button', { name: 'Stuur mij een link' }).click();
	const link = await linkInMail(addr, 'in te loggen', 'signin');
	ok(link !== null, `a sign-in link for ${addr} arrives by mail`);
	const res = await page.goto(link);
	ok(res.status() === 200, 'the link opens a page with a button', res.status());
	await page.getByRole('button', { name: 'Inloggen' }).click();
	await page.waitForURL(`${base}/me`);
	return link;
}

const rowState = (page, key) => page.locator(`tr[data-key="${key}"]`).getAttribute('data-state');

try {
	const page = await ctx.newPage();
	await page.goto(`${base}/signin`);
	ok(await page.getByRole('heading', { name: 'Inloggen' }).isVisible(), 'the sign-in page, in Dutch');
	await axe(page, '/signin');
	await page.getByLabel('E-mailadres').fill('secretaris@staphorst.example');
	await page.getByRole('button', { name: 'Stuur mij een link' }).click();
	ok(await page.getByRole('status').isVisible(), 'it says a link is on its way');
	const link = await linkInMail('secretaris@staphorst.example', 'in te loggen', 'signin');
	ok(link !== null, 'the sign-in link arrives by mail');
	await page.goto(link);
	await axe(page, 'the sign-in link\'s page');
	ok(!(await ctx.cookies()).some((c) => c.name === 'termijn_session'), 'opening the link gives no session yet');
	await page.getByRole('button', { name: 'Inloggen' }).click();
	await page.waitForURL(`${base}/me`);
	const cookie = (await ctx.cookies()).find((c) => c.name === 'termijn_session');
	ok(cookie && cookie.httpOnly && cookie.sameSite === 'Lax', 'signed in: an HttpOnly, SameSite cookie', cookie);
	ok(await page.getByRole('heading', { name: /Stappen van Gemeentesecretaris Staphorst/ }).isVisible(),
		'the person\'s steps, by name');
	await axe(page, '/me');

	// Mark a step done with a note, and see it change.
	const key = 'collegebesluit@staphorst';
	ok(await rowState(page, key) === 'ready', `${key} is ready`, await rowState(page, key));
	const row = page.locator(`tr[data-key="${key}"]`);
	await row.getByLabel('Notitie').fill('B&W-besluit <b>17 december</b>');
	await row.getByRole('button', { name: 'Gereed melden' }).click();
	await page.waitForURL(`${base}/me`);
	ok(await rowState(page, key) === 'done', `${key} is done after the form`, await rowState(page, key));
	ok(await page.locator(`tr[data-key="${key}"]`).getByRole('button', { name: 'Ongedaan maken' }).isVisible(),
		'and may be undone from there');
	await page.screenshot({ path: join(shots, 'act-me.png'), fullPage: true });
	await page.getByRole('button', { name: 'Uitloggen' }).click();
	await page.waitForURL(`${base}/signin`);
	await page.goto(`${base}/me`);
	ok(new URL(page.url()).pathname === '/signin', 'signed out: /me goes to signing in', page.url());

	// The press release, too early: the refusal names the councils.
	await signIn(page, 'communicatie@staphorst.example');
	expected.push(`${base}/me/act`);
	await page.locator('tr[data-key="persbericht"]').getByRole('button', { name: 'Gereed melden' }).click();
	const alert = await page.getByRole('alert').textContent();
	ok(/persbericht kan nog niet worden afgerond/.test(alert), 'the press release is refused', alert);
	const unmet = await page.locator('ul.unmet li').allTextContents();
	for (const p of ['Staphorst', 'Steenwijkerland', 'Zwartewaterland'])
		ok(unmet.some((t) => t.startsWith(`vereist raad@${p.toLowerCase()}`) && t.includes(`Gemeente ${p}`)),
			`the refusal names the council of ${p}`, unmet);
	ok(unmet.length === 6, 'every unmet rule is listed (three councils, three staffs)', unmet);
	await axe(page, 'the refusal');
	await page.screenshot({ path: join(shots, 'act-refused.png'), fullPage: true });

	// A reminder's "Gereed melden" link: its page changes nothing, the button does.
	const addr = 'secretaris@steenwijkerland.example';
	const done = await linkInMail(addr, 'College', 'done');
	ok(done !== null, 'the reminder to Steenwijkerland\'s secretary has a done link');
	writeFileSync(out, done || '');
	let res = await page.goto(done);
	ok(res.status() === 200, 'the done link opens a confirmation page', res.status());
	ok(/College besluit over de bestuursopdracht/.test(await page.locator('main').textContent()),
		'naming its step');
	await axe(page, 'the done link\'s page');
	await page.getByLabel('Notitie').fill('via de herinnering');
	await page.getByRole('button', { name: 'Gereed melden' }).click();
	ok(/Gereed gemeld/.test(await page.getByRole('status').textContent()), 'confirmed: reported done');
	await axe(page, 'the confirmation');
	expected.push(done);
	res = await page.goto(done);
	ok(res.status() === 404, 'the link a second time is refused', res.status());
	ok(/onjuist, al gebruikt of verlopen/.test(await page.locator('main').textContent()),
		'saying it was used');
	ok(errors.length === 0, 'no console errors', errors);
} catch (e) {
	ok(false, `the browser run: ${e.message}`);
} finally {
	await close();
}
process.exit(failures() ? 1 : 0);
