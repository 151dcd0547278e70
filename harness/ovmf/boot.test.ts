import { describe, expect, it } from 'vitest';
import { lastExceptionChain } from './boot.ts';

// Lines in the form QEMU's `-d int` writes (timer interrupts, then a #PF whose delivery
// fails into #DF and a triple fault).
const LOG = [
  'check_exception old: 0xffffffff new 0xe',
  '     3: v=0e e=0002 i=0 cpl=0 IP=0038:000000000e251175 pc=000000000e251175 SP=0030:000000000fefa620 CR2=0000000000001000',
  '     4: v=20 e=0000 i=0 cpl=0 IP=0038:000000000e251175 pc=000000000e251175 SP=0030:000000000fefa620 env->regs[R_EAX]=00000000000222d2',
  'check_exception old: 0xffffffff new 0xe',
  '   115: v=0e e=000a i=0 cpl=0 IP=0038:0000000002000037 pc=0000000002000037 SP=0030:ffffffffc0405000 CR2=ffffffffc0404ff8',
  'check_exception old: 0xe new 0xd',
  '   116: v=08 e=0000 i=0 cpl=0 IP=0038:0000000002000037 pc=0000000002000037 SP=0030:ffffffffc0405000 env->regs[R_EAX]=0000000000000553',
  'check_exception old: 0x8 new 0xd',
  'Triple fault',
].join('\n');

describe('reading QEMU\'s exception log', () => {
  it('HANDOFF.FAULT.TRIPLE: the last chain starts with the fault (vector, error code, CR2) and ends in #DF', () => {
    expect(lastExceptionChain(LOG)).toEqual([{ vector: 14, errorCode: 0xa, cr2: '0xffffffffc0404ff8' }, { vector: 8, errorCode: 0 }]);
  });
  it('a hardware interrupt ends a chain; a log without exceptions gives none', () => {
    expect(lastExceptionChain(LOG.split('\n').slice(0, 3).join('\n'))).toEqual([{ vector: 14, errorCode: 2, cr2: '0x1000' }, { vector: 0x20, errorCode: 0 }]);
    expect(lastExceptionChain('     4: v=20 e=0000 i=0 cpl=0 IP=0038:0\n')).toEqual([]);
  });
});
