/** The file-system data root against the real mirror (../shared/data) and against broken roots. */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataRootError, loadAgentPrompt, loadOfflineBank, loadReferenceTemplate } from '../../core/index';
import { createFsDataRoot } from './fsDataRoot';

const MIRROR = resolve(__dirname, '../../../../shared/data');

describe('createFsDataRoot', () => {
  it('reads the reference templates and the offline bank from the mirror', async () => {
    const root = createFsDataRoot(MIRROR);
    expect(await loadReferenceTemplate(root, 'qwen')).toContain('{question}');
    expect(await loadAgentPrompt(root)).toContain('{query}');
    const bank = await loadOfflineBank(root);
    expect(bank.questions.length).toBe(1000);
  });

  it('says the root does not exist and how to point at one', async () => {
    const err = await createFsDataRoot('/nonexistent/router-data').readText('router-r1/pool.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataRootError);
    expect((err as DataRootError).missing).toBe(true);
    expect((err as Error).message).toMatch(/does not exist.*--data-root/);
  });

  it('refuses paths outside the root', async () => {
    await expect(createFsDataRoot(MIRROR).readText('../../etc/passwd')).rejects.toThrow(/outside the data root/);
  });

  it('rejects a malformed template with a message naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-root-'));
    mkdirSync(join(dir, 'router-r1'));
    writeFileSync(join(dir, 'router-r1', 'prompt_template_qwen.rendered.txt'), 'no field here');
    await expect(loadReferenceTemplate(createFsDataRoot(dir), 'qwen')).rejects.toThrow(/prompt_template_qwen.rendered.txt is not a Router-R1 template/);
  });
});
