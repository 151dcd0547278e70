// Properties of the exit flow (issue 6): a stale key is always rejected and a fresh one
// accepted; the standard retry loop terminates under any finite firmware activity and
// never calls a service the rules forbid.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bootFirmware, EfiLoaderData, keyRuleAcross, runExitFlow, step, type Call, type CallResult, type FirmwareState,
} from '../../model/uefi/index.ts';
import { numRuns } from '../support/runs.ts';
import { firmwareConfigArb, firmwareMapArb, perturbationsArb } from './arbitraries.ts';

type Op = { kind: 'gmm' } | { kind: 'ap'; pages: number } | { kind: 'fp' } | { kind: 'apl'; size: number } | { kind: 'fpl' } | { kind: 'ce' } | { kind: 'ebs'; which: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: 'gmm' }),
  fc.integer({ min: 1, max: 8 }).map<Op>((pages) => ({ kind: 'ap', pages })),
  fc.constant<Op>({ kind: 'fp' }),
  fc.integer({ min: 0, max: 20_000 }).map<Op>((size) => ({ kind: 'apl', size })),
  fc.constant<Op>({ kind: 'fpl' }),
  fc.constant<Op>({ kind: 'ce' }),
  fc.integer({ min: 0, max: 3 }).map<Op>((which) => ({ kind: 'ebs', which })),
);

describe('exit-flow properties', () => {
  it('UEFI.EBS.STALE_KEY / UEFI.MMAP.KEY_CHANGES: ExitBootServices fails exactly when a page call succeeded since the map it names', () => {
    fc.assert(fc.property(firmwareMapArb, fc.array(opArb, { minLength: 1, maxLength: 30 }), (map, ops) => {
      let fw: FirmwareState = bootFirmware(map);
      const keys: { key: number; since: { op: Call['op']; succeeded: boolean }[] }[] = [];
      const pages: { address: number; pages: number }[] = [];
      const pools: number[] = [];
      const call = (c: Call): CallResult => {
        const r = step(fw, c);
        fw = r.state;
        const ok = r.result.kind === 'status' && r.result.status === 'EFI_SUCCESS';
        for (const k of keys) k.since.push({ op: c.op, succeeded: ok });
        return r.result;
      };
      for (const op of ops) {
        if (fw.phase === 'exited') break;
        switch (op.kind) {
          case 'gmm': {
            const r = call({ op: 'GetMemoryMap', bufferSize: 1 << 20, buffer: true });
            if (r.kind === 'status' && r.mapInfo?.key !== undefined) keys.push({ key: r.mapInfo.key, since: [] });
            break;
          }
          case 'ap': {
            const r = call({ op: 'AllocatePages', kind: 'AnyPages', type: EfiLoaderData, pages: op.pages });
            if (r.kind === 'status' && r.address !== undefined) pages.push({ address: r.address, pages: op.pages });
            break;
          }
          case 'fp': { const p = pages.pop(); if (p) call({ op: 'FreePages', address: p.address, pages: p.pages }); break; }
          case 'apl': {
            const r = call({ op: 'AllocatePool', type: EfiLoaderData, size: op.size });
            if (r.kind === 'status' && r.address !== undefined) pools.push(r.address);
            break;
          }
          case 'fpl': { const p = pools.pop(); if (p !== undefined) call({ op: 'FreePool', pointer: p }); break; }
          case 'ce': if (fw.phase === 'boot') call({ op: 'OtherBootService', service: 'CreateEvent' }); break;
          case 'ebs': {
            const named = keys[keys.length - 1 - Math.min(op.which, keys.length - 1)];
            if (named === undefined) break;
            const rule = keyRuleAcross(named.since);
            const r = call({ op: 'ExitBootServices', key: named.key });
            expect(r.kind).toBe('status');
            if (rule === 'must') expect(r).toMatchObject({ status: 'EFI_INVALID_PARAMETER' });
            if (rule === 'never') expect(r).toMatchObject({ status: 'EFI_SUCCESS' });
            break;
          }
        }
      }
    }), { numRuns: numRuns(200) });
  });

  it('UEFI.EBS.RETRY / UEFI.EBS.EVENTS_MAY_ALLOCATE / UEFI.EBS.AFTER_FAILURE: the standard loop terminates and never makes a forbidden call', () => {
    fc.assert(fc.property(firmwareMapArb, firmwareConfigArb, perturbationsArb, fc.integer({ min: 0, max: 8 }), (map, config, perturbations, slack) => {
      const run = runExitFlow(bootFirmware(map, config, perturbations), { slackDescriptors: slack, maxAttempts: 2 * perturbations.length + 3 });
      expect(run.results.filter((r) => r.kind === 'forbidden')).toEqual([]);
      // Every failed ExitBootServices needs a firmware event to have fired since the map.
      expect(run.attempts).toBeLessThanOrEqual(perturbations.length + 1);
      if (config.uefiRevision >= 209) {
        expect(run.outcome).toMatchObject({ ok: true });
        expect(run.state.phase).toBe('exited');
      } else if (!run.outcome.ok) {
        expect(run.outcome.reason).toMatch(/before UEFI 2.9/);
      }
      if (run.outcome.ok) {
        // The map the loader keeps is the one the firmware had when it exited.
        expect(run.outcome.map).toEqual(run.state.map);
        expect(run.outcome.descriptorSize).toBe(config.descriptorSize);
      }
    }), { numRuns: numRuns(300) });
  });

  it('UEFI.EBS.PARTIAL_SHUTDOWN: with EDK2\'s stopped timer, timer events alone cost at most one retry', () => {
    const timerOnly = perturbationsArb.map((ps) => ps.map((p) => ({ ...p, source: 'timer' as const, action: 'allocate' as const })));
    fc.assert(fc.property(firmwareMapArb, timerOnly, (map, perturbations) => {
      const run = runExitFlow(bootFirmware(map, { ...bootFirmware(map).config, stopsTimerOnExitAttempt: true }, perturbations));
      expect(run.outcome.ok).toBe(true);
      expect(run.attempts).toBeLessThanOrEqual(2);
    }), { numRuns: numRuns(200) });
  });
});
