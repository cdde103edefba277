// lib.mjs: what the browser tests share: TAP-like checks, Debian's Chromium driven through
// playwright-core (never a browser download), and axe-core run in a page.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let failed = 0;
export const ok = (cond, what, detail) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${what}`);
	if (!cond) {
		failed++;
		if (detail !== undefined) console.log(`    ${JSON.stringify(detail).slice(0, 2000)}`);
	}
};
export const failures = () => failed;

// A browser with a fresh profile; close() ends it and removes the profile.
export async function launch() {
	const profile = mkdtempSync(join(tmpdir(), 'termijn-chromium.'));
	const args = ['--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'];
	if (process.getuid() === 0) args.push('--no-sandbox');
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: '/usr/bin/chromium', headless: true, args,
		viewport: { width: 1400, height: 900 }, timeout: 60000,
	});
	const close = async () => {
		await ctx.close();
		rmSync(profile, { recursive: true, force: true });
	};
	return { ctx, close };
}

export async function axe(page, what) {
	// Through DevTools, not a <script>: the page's CSP allows no script at all.
	await page.evaluate(axeSource);
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	ok(bad.length === 0, `axe-core: no serious or critical violations on ${what}`,
		bad.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.html) })));
}
