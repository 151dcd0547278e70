#!/usr/bin/env python3
"""x64spec-example-python: 4-level x86-64 paging over the x64spec-impl/1 protocol.

A second independent implementation, written from our reading of Intel SDM Vol. 3A
chapter 4: §4.5 (the walk), §4.6.1 (access rights), §4.7 (the #PF error code) and §4.8
(accessed and dirty flags). It does not implement protection keys: a case with CR4.PKE
set is answered `unsupported`, which the harness reports as such.

Run it by hand:  python3 x64spec_paging.py   (then type protocol lines)
Through x64spec: x64spec run --impl "process:python3 harness/examples/python/x64spec_paging.py"
"""
import json
import sys

PROTOCOL = "x64spec-impl/1"
NAME = "x64spec-example-python"
VERSION = "1.0.0"

# Entry bits (SDM Vol. 3A Tables 4-15 to 4-20).
P, RW, US, A, D, PS = 1 << 0, 1 << 1, 1 << 2, 1 << 5, 1 << 6, 1 << 7
XD = 1 << 63
# Control bits.
CR0_PG, CR0_WP = 1 << 31, 1 << 16
CR4_PAE, CR4_LA57, CR4_SMEP, CR4_SMAP, CR4_PKE = 1 << 5, 1 << 12, 1 << 20, 1 << 21, 1 << 22
EFER_LME, EFER_NXE = 1 << 8, 1 << 11
RFLAGS_AC = 1 << 18
# #PF error-code bits (§4.7).
EC_P, EC_WR, EC_US, EC_RSVD, EC_ID = 1, 2, 4, 8, 16


class Unsupported(Exception):
    """A case this implementation chooses not to answer."""


def bits(hi, lo):
    """Mask with bits hi..lo set."""
    return ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1)


def translate(cpu, regs, mem, va, kind, implicit):
    """Returns (outcome dict without memory); updates `mem` (dict pa -> value) on success."""
    cr0, cr4, efer = regs["cr0"], regs["cr4"], regs["efer"]
    if not (cr0 & CR0_PG and cr4 & CR4_PAE and efer & EFER_LME) or cr4 & CR4_LA57:
        raise Unsupported("only 4-level paging is implemented")
    if cr4 & CR4_PKE:
        raise Unsupported("protection keys (CR4.PKE) are not implemented")
    nxe = bool(efer & EFER_NXE)
    write, fetch = kind == "write", kind == "fetch"
    # Implicit accesses (descriptor tables and the like) are supervisor accesses at any CPL.
    user = regs["cpl"] == 3 and not implicit

    # Canonical: bits 63..47 all equal, else #GP(0) before any table is read.
    top = va >> 47
    if top not in (0, 0x1FFFF):
        return {"outcome": "fault", "vector": 13, "errorCode": "0x0"}

    ec = (EC_WR if write else 0) | (EC_US if user else 0)
    if fetch and (nxe or cr4 & CR4_SMEP):
        ec |= EC_ID

    def page_fault(code):
        return {"outcome": "fault", "vector": 14, "errorCode": hex(code), "cr2": hex(va)}

    maxphy = cpu["maxphyaddr"]
    frame = bits(maxphy - 1, 12)
    above = bits(51, maxphy) if maxphy < 52 else 0
    table = regs["cr3"] & frame
    used = []  # (pa, entry)
    for level in (4, 3, 2, 1):
        shift = 12 + 9 * (level - 1)
        slot = table + ((va >> shift) & 0x1FF) * 8
        entry = mem.get(slot, 0)
        if not entry & P:
            return page_fault(ec)
        reserved = above | (0 if nxe else XD)
        leaf = level == 1
        if level == 4:
            reserved |= PS
        elif level == 3 and entry & PS:
            if "pdpe1gb" in cpu["features"]:
                reserved |= bits(29, 13)
                leaf = True
            else:
                reserved |= PS
        elif level == 2 and entry & PS:
            reserved |= bits(20, 13)
            leaf = True
        if entry & reserved:
            return page_fault(ec | EC_P | EC_RSVD)
        used.append((slot, entry))
        if leaf:
            offset_mask = bits(shift - 1, 0)
            pa = (entry & frame & ~offset_mask) | (va & offset_mask)
            break
        table = entry & frame

    writable = all(e & RW for _, e in used)
    user_page = all(e & US for _, e in used)
    no_exec = nxe and any(e & XD for _, e in used)
    if user:
        allowed = user_page and not (write and not writable) and not (fetch and no_exec)
    elif fetch:
        allowed = not (user_page and cr4 & CR4_SMEP) and not no_exec
    else:
        smap_blocks = user_page and cr4 & CR4_SMAP and (implicit or not regs["rflags"] & RFLAGS_AC)
        wp_blocks = write and not writable and cr0 & CR0_WP
        allowed = not smap_blocks and not wp_blocks
    if not allowed:
        return page_fault(ec | EC_P)

    # Success: A in every entry used, D in the leaf when writing (§4.8).
    for i, (slot, entry) in enumerate(used):
        new = entry | A
        if write and i == len(used) - 1:
            new |= D
        mem[slot] = new
    return {"outcome": "ok", "pa": hex(pa)}


def parse_hex(text):
    if not isinstance(text, str) or not text[:2].lower() == "0x":
        raise ValueError("not a 0x… value: %r" % (text,))
    return int(text[2:], 16)


def paging_case(inp):
    cpu = inp["cpu"]
    r = inp["regs"]
    regs = {k: parse_hex(r[k]) for k in ("cr0", "cr3", "cr4", "efer", "rflags", "pkru")}
    regs["cpl"] = r["cpl"]
    listed = [(parse_hex(q["pa"]), parse_hex(q["value"])) for q in inp["memory"]]
    mem = dict(listed)
    acc = inp["access"]
    out = translate(cpu, regs, mem, parse_hex(acc["va"]), acc["kind"], acc["implicit"])
    out["memory"] = [hex(mem[pa]) for pa, _ in listed]
    return out


def handle(msg):
    kind = msg.get("type")
    if kind == "hello":
        return {"type": "hello", "protocol": PROTOCOL, "name": NAME, "version": VERSION, "suites": ["paging"]}
    if kind == "case":
        cid = msg["id"]
        if msg.get("suite") != "paging":
            return {"type": "result", "id": cid, "unsupported": "only the paging suite is implemented"}
        try:
            return {"type": "result", "id": cid, "output": paging_case(msg["input"])}
        except Unsupported as why:
            return {"type": "result", "id": cid, "unsupported": str(why)}
    return None


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        if msg.get("type") == "bye":
            break
        reply = handle(msg)
        if reply is not None:
            sys.stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
