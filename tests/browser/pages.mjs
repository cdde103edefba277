// pages.mjs DIR PLAN_PAGE PARTY_PAGE HOSTILE_PAGE PERSON_PAGE SHOTS: open a feed's pages in Debian's
// Chromium (playwright-core, never a browser download) and check them against the API's
// answers in DIR (plan.json, status.json), with axe-core; prints TAP-like lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { axe, failures, launch, ok } from './lib.mjs';

const [dir, planPage, partyPage, hostilePage, personPage, shots] = process.argv.slice(2);
const api = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

const { ctx, close } = await launch();
const errors = [];
ctx.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
ctx.on('weberror', (e) => errors.push(String(e.error())));

try {
	const page = await ctx.newPage();
	const res = await page.goto(planPage);
	ok(res.status() === 200, 'the page link opens a page', res.status());
	ok(!page.url().includes(planPage.split('/feed/')[1].replace('.html', '')),
		'the token is not in the address the page ends on', page.url());

	const want = api('plan.json').milestones;
	const now = api('status.json').now;
	const wantStates = Object.fromEntries(want.map((m) => [m.key, m.state]));

	// The timeline: a row per milestone, a sub-row per step, in the API's states.
	ok(new URL(page.url()).pathname === '/view', 'the page link leads to the timeline', page.url());
	const tl = await page.evaluate(() => ({
		ms: [...document.querySelectorAll('svg.tl g.ms')].map((g) => g.dataset.id),
		steps: [...document.querySelectorAll('svg.tl a.step')].map((a) => ({
			key: a.dataset.key, state: a.dataset.state, crit: a.classList.contains('crit'),
			x: parseFloat(a.querySelector('polygon.dia').getAttribute('points')),
			tip: a.querySelector('title').textContent,
		})),
		today: (() => {
			const l = document.getElementById('today');
			return l && { time: l.dataset.time, x: parseFloat(l.getAttribute('x1')) };
		})(),
		threats: document.querySelectorAll('table.threats tbody tr').length,
	}));
	ok(tl.steps.length === want.length, `the timeline has a row per step (${want.length})`, tl.steps.length);
	const ids = [...new Set(want.map((m) => m.id))];
	ok(JSON.stringify(tl.ms) === JSON.stringify(ids), `and a row per milestone (${ids.length}), in plan order`, tl.ms);
	const twrong = tl.steps.filter((r) => wantStates[r.key] !== r.state);
	ok(twrong.length === 0, 'every step of the timeline is in the state the API gives', twrong);
	ok(tl.today !== null && tl.today.time === now, 'a line for today, at the API\'s now', [tl.today, now]);
	if (tl.today) {
		const deadline = Object.fromEntries(want.map((m) => [m.key, m.deadline]));
		const side = tl.steps.filter((r) => (deadline[r.key] < now) !== (r.x < tl.today.x));
		ok(side.length === 0, 'deadlines before now lie left of the today line, later ones right', side);
	}
	ok(tl.steps.some((r) => r.crit), 'the critical chain is marked');
	ok(tl.threats > 0, 'what threatens the last deadline is listed', tl.threats);
	const per = want.find((m) => m.key === 'persbericht');
	const pt = tl.steps.find((r) => r.key === 'persbericht');
	ok(pt && pt.tip.includes(per.title) && pt.tip.includes('Communicatieadviseur') &&
		pt.tip.includes('Wacht op') && pt.tip.includes('Opiniërende bespreking'),
		'a step\'s hover text has its title, owner and what it waits for', pt && pt.tip);
	const adv = tl.steps.find((r) => r.key === 'advies');
	ok(adv && adv.tip.includes('Samenwerking drie decentralisaties in het sociaal domein: ' +
		'Bestuurlijk-ambtelijke conferentie'), 'a step that waits for another plan\'s names it', adv && adv.tip);
	await page.focus('svg.tl a.step[data-key="persbericht"]');
	ok(await page.evaluate(() => document.activeElement.dataset.key) === 'persbericht',
		'a step can be reached with the keyboard');
	await page.screenshot({ path: join(shots, 'timeline.png'), fullPage: true });
	await axe(page, 'the timeline');
	await page.emulateMedia({ media: 'print' });
	const pdf = await page.pdf({ preferCSSPageSize: true });
	const box = /\/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]/.exec(pdf.toString('latin1'));
	ok(box && Math.round(box[1]) === 842 && Math.round(box[2]) === 595, 'it prints on A4 landscape',
		box && box.slice(1));
	await page.emulateMedia({ media: 'screen' });

	// A step's page: its rules, its dependents, its history with names.
	await page.click('svg.tl a.step[data-key="mt-betrokken@staphorst"]');
	const st = await page.evaluate(() => ({
		h1: document.querySelector('h1').textContent,
		state: document.querySelector('dd[data-state]').dataset.state,
		rules: document.querySelectorAll('ul.rules li').length,
		deps: document.querySelectorAll('ul.deps li').length,
		history: [...document.querySelectorAll('table.history tbody tr')].map((r) => r.textContent),
	}));
	ok(st.h1.startsWith('Managementteam betrokken') && st.state === wantStates['mt-betrokken@staphorst'],
		'a step\'s page has its title and state', st);
	ok(st.rules >= 1 && st.deps >= 1, 'with its rules and what waits for it', st);
	ok(st.history.length === 1 && st.history[0].includes('gereed gemeld') &&
		st.history[0].includes(process.env.TERMIJN_ME), 'and its history, with who did it', st.history);
	await page.screenshot({ path: join(shots, 'step.png'), fullPage: true });
	await axe(page, 'a step\'s page');

	// The table: one row per step, each in the state the API gives.
	await page.goto(new URL('/view/table', planPage).href);
	const rows = await page.$$eval('tr[data-key]', (trs) => trs.map((t) => [t.dataset.key, t.dataset.state]));
	ok(rows.length === want.length, `the table has a row per step (${want.length})`, rows.length);
	const wrong = rows.filter(([k, s]) => wantStates[k] !== s);
	ok(wrong.length === 0, 'every row is in the state the API gives', wrong);
	const states = new Set(rows.map(([, s]) => s));
	for (const s of ['done', 'done-late', 'ready', 'blocked', 'overdue', 'waived'])
		ok(states.has(s), `the table shows a step ${s}`);
	ok((await page.getAttribute('html', 'lang')) === 'nl', 'the shipped plan\'s pages are in Dutch');
	await page.screenshot({ path: join(shots, 'table.png'), fullPage: true });
	await axe(page, 'the table');

	// A party's feed: its own steps and the shared ones.
	await page.goto(partyPage);
	await page.goto(new URL('/view/table', partyPage).href);
	const prow = await page.$$eval('tr[data-key]', (trs) => trs.length);
	const pwant = want.filter((m) => m.party === null || m.party === 'staphorst').length;
	ok(prow === pwant, 'a party\'s table has its steps and the shared ones', [prow, pwant]);

	// A person's page: the steps of the person's calendar, under the person's name.
	await page.goto(personPage);
	const who = await page.evaluate(() => ({
		h1: document.querySelector('h1').textContent,
		steps: document.querySelectorAll('svg.tl a.step').length,
	}));
	const icsSteps = parseInt(readFileSync(join(dir, 'person.count'), 'utf8'), 10);
	ok(who.h1 === 'Gemeentesecretaris Staphorst' && who.steps === icsSteps,
		`a person's timeline has the steps of the person's calendar (${icsSteps})`, who);

	// Titles that try HTML and SVG: text, never markup.
	await page.goto(hostilePage);
	for (const path of ['/view', '/view/table', '/view/step?plan=hostile&key=first']) {
		await page.goto(new URL(path, hostilePage).href);
		const h = await page.evaluate(() => ({
			scripts: document.scripts.length,
			imgs: document.images.length,
			svgs: document.querySelectorAll('svg').length,
			h1: document.querySelector('h1').textContent,
			title: document.title,
			body: document.body.textContent,
		}));
		ok(h.scripts === 0 && h.imgs === 0, `${path}: no <script> or <img> from a title made it into the page`, h);
		ok(h.svgs === (path === '/view' ? 1 : 0), `${path}: no </svg> in a title ended the chart early`, h.svgs);
		ok(h.body.includes(path.includes('step') ? 'A description with <b>markup</b> and </svg><script>alert(2)</script>.'
			: 'First <script>alert("x")</script> & </svg> "quoted" \'single\''),
			`${path}: a title with <script> and </svg> shows as text`);
	}
	await page.goto(new URL('/view/table', hostilePage).href);
	const h = await page.evaluate(() => ({
		scripts: document.scripts.length,
		imgs: document.images.length,
		h1: document.querySelector('h1').textContent,
		title: document.title,
		body: document.body.textContent,
	}));
	ok(h.scripts === 0 && h.imgs === 0, 'no <script> or <img> from a title made it into the page', h);
	ok(h.h1 === 'Plan </svg><script>alert("plan")</script>', 'the plan title shows as text', h.h1);
	ok(h.title === h.h1, 'and the document title too', h.title);
	ok(h.body.includes('First <script>alert("x")</script> & </svg> "quoted" \'single\''),
		'a step title with <script> and </svg> shows as text');
	ok(h.body.includes('Second </text></a></g></svg><img src=x>'), 'and one that closes SVG elements');

	ok(errors.length === 0, 'no console errors', errors);
} catch (e) {
	ok(false, `the browser run: ${e.message}`);
} finally {
	await close();
}
process.exit(failures() ? 1 : 0);
