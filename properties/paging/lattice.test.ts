// Permission lattice: taking a right away in any entry of the path (clearing R/W,
// clearing U/S, setting XD) never makes an access succeed that failed before. U/S is
// monotone for user-mode accesses only: for supervisor accesses a supervisor page can be
// *more* accessible than a user page (SMAP, SMEP and protection keys apply to user
// pages), which the second property pins down.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walk } from '../../model/paging/walk.ts';
import { numRuns } from '../support/runs.ts';
import { oracleAccess } from '../support/oracle.ts';
import { oracleStateOf, pagingStateOf, scenarioAccessArb, type ScenarioAccess } from '../support/arbitraries-tables.ts';
import { accessOf } from '../support/compare.ts';

type Restriction = 'clear-rw' | 'clear-us' | 'set-xd';

interface Restricted {
  readonly sa: ScenarioAccess;
  readonly restricted: ScenarioAccess;
  readonly how: Restriction;
}

/** A walk that reaches its leaf, and the same scenario with one right removed from one entry of its path. */
const restrictedArb: fc.Arbitrary<Restricted> = scenarioAccessArb
  .map((sa) => ({ sa, o: oracleAccess(oracleStateOf(sa.scenario), sa.va, sa.kind, sa.implicit) }))
  .filter(({ o }) => o.kind === 'ok' || (o.kind === 'pf' && (o.cause === 'rights' || o.cause === 'key')))
  .chain(({ sa, o }) => {
    const entries = o.kind === 'gp' ? [] : o.entries;
    return fc.record({ step: fc.nat(entries.length - 1), how: fc.constantFrom<Restriction>('clear-rw', 'clear-us', 'set-xd') })
      .map(({ step, how }) => {
        const e = entries[step]!;
        const v = sa.scenario.memory.get(e.pa) ?? 0n;
        const nv = how === 'clear-rw' ? v & ~0x2n : how === 'clear-us' ? v & ~0x4n : v | (1n << 63n);
        const memory = new Map(sa.scenario.memory);
        memory.set(e.pa, nv);
        return { sa, how, restricted: { ...sa, scenario: { ...sa.scenario, memory } } };
      });
  });

const allowed = (sa: ScenarioAccess): boolean => walk(pagingStateOf(sa.scenario), accessOf(sa)).outcome === 'ok';
const userMode = (sa: ScenarioAccess): boolean => sa.scenario.regs.cpl === 3 && !sa.implicit;

describe('permission lattice', () => {
  it('clearing R/W or setting XD in any entry never grants a denied access; clearing U/S never grants a user-mode one [PG.PERM.RW.COMBINE, PG.PERM.US.COMBINE, PG.PERM.XD.COMBINE, PG.PERM.WP.SUPERVISOR_WRITE, PG.PERM.USER.SUPERVISOR_PAGE, PG.PERM.USER.WRITE_READONLY, PG.PERM.USER.FETCH_XD, PG.PERM.SUP.FETCH_XD]', () => {
    fc.assert(fc.property(restrictedArb, ({ sa, restricted, how }) => {
      if (how === 'clear-us' && !userMode(sa)) return;
      if (!allowed(sa)) expect(allowed(restricted)).toBe(false);
    }), { numRuns: numRuns(400) });
  });

  it('for supervisor accesses, clearing U/S grants only what SMAP, SMEP or a protection key denied [PG.PERM.SMAP.READ_USER, PG.PERM.SMAP.WRITE_USER, PG.PERM.SMAP.IMPLICIT, PG.PERM.SMEP.FETCH_USER, PG.PK.USER_PAGES_ONLY]', () => {
    fc.assert(fc.property(restrictedArb, ({ sa, restricted, how }) => {
      if (how !== 'clear-us' || userMode(sa) || allowed(sa) || !allowed(restricted)) return;
      const r = walk(pagingStateOf(sa.scenario), accessOf(sa));
      if (r.outcome !== 'fault' || r.vector !== 14) throw new Error('expected #PF');
      const regs = sa.scenario.regs;
      const smap = (regs.cr4 & (1n << 21n)) !== 0n;
      const smep = (regs.cr4 & (1n << 20n)) !== 0n;
      const pke = (regs.cr4 & (1n << 22n)) !== 0n;
      // The page was a user page (U/S = 1 everywhere) denied by one of the user-page rules.
      expect(r.trace.every((t) => (t.entry.lo & 0x4) !== 0)).toBe(true);
      const why = sa.kind === 'fetch' ? smep : smap || (pke && (r.errorCode & 0x20) !== 0);
      expect(why).toBe(true);
    }), { numRuns: numRuns(400) });
  });

  it('effective rights are the combination over every entry used: R/W and U/S ANDed, XD ORed under NXE [PG.PERM.RW.COMBINE, PG.PERM.US.COMBINE, PG.PERM.XD.COMBINE, PG.PERM.NXE_OFF]', () => {
    fc.assert(fc.property(scenarioAccessArb, (sa) => {
      const r = walk(pagingStateOf(sa.scenario), accessOf(sa));
      if (r.outcome !== 'ok') return;
      const nxe = (sa.scenario.regs.efer & 0x800n) !== 0n;
      expect(r.rights).toEqual({
        writable: r.trace.every((t) => (t.entry.lo & 0x2) !== 0),
        user: r.trace.every((t) => (t.entry.lo & 0x4) !== 0),
        executable: !nxe || r.trace.every((t) => (t.entry.hi & 0x8000_0000) === 0),
      });
    }), { numRuns: numRuns(300) });
  });
});
