import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLL, screenshot, startApp, type E2EApp } from './harness';

/** The first thing a user sees: which runtime the real engine chose, and why the others did not run. */
describe('Home / runtime (browser host, real engine)', () => {
  let app: E2EApp;

  beforeAll(async () => {
    app = await startApp({ colorScheme: 'light' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the backend in use and each unavailable native runtime with its reason', async () => {
    const { page } = app;
    const backend = page.getByTestId('runtime-backend');
    await backend.waitFor({ timeout: 90_000 });
    await expect(backend.textContent()).resolves.toMatch(/runs on wasm/);

    const rows = page.getByTestId('runtime-attempt');
    const attempts = await rows.evaluateAll((trs) =>
      trs.map((tr) => ({ backend: tr.getAttribute('data-backend'), ok: tr.getAttribute('data-ok'), status: tr.children[2]?.textContent?.trim() ?? '' })),
    );
    const wasm = attempts.find((a) => a.backend === 'wasm');
    expect(wasm).toMatchObject({ ok: 'true', status: 'in use' });
    for (const native of ['tensorflow-gpu', 'tensorflow']) {
      const a = attempts.find((x) => x.backend === native);
      expect(a, `${native} listed`).toBeDefined();
      expect(a!.ok).toBe('false');
      // "unavailable: <reason>", and the reason is a real sentence, not a placeholder
      expect(a!.status).toMatch(/^unavailable: .{10,}/);
      expect(a!.status).not.toContain('no reason given');
    }

    await expect(page.getByTestId('engine-status').getAttribute('data-state')).resolves.toBe('ready');
    await expect(page.getByTestId('engine-status').textContent()).resolves.toContain('Engine ready');
    await expect(page.getByTestId('first-step').textContent()).resolves.toBe('Choose a folder of sharp photos');
    expect(app.problems).toEqual([]);
  });

  it('follows the system colour scheme (screenshots in light and dark)', async () => {
    const { page } = app;
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await screenshot(page, 'runtime-light');

    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    await screenshot(page, 'runtime-dark');

    expect(light).toBe('rgb(246, 247, 249)');
    expect(dark).toBe('rgb(21, 24, 29)');
  });

  it('lets the theme setting override the system and persists it with settings.set', async () => {
    const { page } = app;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Control+6');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByLabel('Dark').check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(21, 24, 29)');

    // Persisted by the host, so a reload (or the next start) keeps it.
    await expect.poll(async () => JSON.parse(await readFile(app.settingsFile, 'utf8')).theme, POLL).toBe('dark');
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');

    await page.keyboard.press('Control+6');
    await page.getByLabel('Same as the system').check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === undefined);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(246, 247, 249)');
    expect(app.problems).toEqual([]);
  });

  it('saves a default folder, and forgets it when its field is emptied', async () => {
    const { page } = app;
    await page.keyboard.press('Control+6');
    const field = page.locator('#settings-folder-testSet');
    await field.fill(app.browseRoot);
    await page.getByTestId('settings-save').click();
    await expect.poll(async () => JSON.parse(await readFile(app.settingsFile, 'utf8')).folders.testSet, POLL).toBe(app.browseRoot);

    await field.fill('');
    await page.getByTestId('settings-save').click();
    await expect.poll(async () => 'testSet' in JSON.parse(await readFile(app.settingsFile, 'utf8')).folders, POLL).toBe(false);
    await page.reload();
    await page.keyboard.press('Control+6');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await page.locator('#settings-folder-testSet').inputValue()).toBe('');
    expect(app.problems).toEqual([]);
  });

  it('shows the engine crashing, restarting and ready again', async () => {
    const { page } = app;
    const indicator = page.getByTestId('engine-status');
    expect(await indicator.getAttribute('data-state')).toBe('ready');
    // Record every state the indicator shows: the restart passes through states that last a moment only.
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid=engine-status]')!;
      const seen: string[] = [];
      (window as unknown as { __engineStates: string[] }).__engineStates = seen;
      new MutationObserver(() => seen.push(el.getAttribute('data-state') ?? '')).observe(el, { attributes: true, attributeFilter: ['data-state'] });
    });
    const pid = app.host.supervisor.status().pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');

    const states = () => page.evaluate(() => (window as unknown as { __engineStates: string[] }).__engineStates);
    await expect.poll(states, POLL).toContain('crashed');
    // A fresh engine process starts (slowly on a busy machine) and reports ready.
    await expect.poll(async () => (await states()).at(-1), { timeout: 90_000 }).toBe('ready');
    expect(await states()).toEqual(expect.arrayContaining(['crashed', 'restarting', 'ready']));
    expect(await indicator.getAttribute('title')).toContain('restarts: 1');
    expect(await indicator.textContent()).toContain('Engine ready');
    expect(app.host.supervisor.status().pid).not.toBe(pid);
    expect(app.problems).toEqual([]);
  });
});
