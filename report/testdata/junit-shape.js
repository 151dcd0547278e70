// The JUnit XML shape check run inside Chromium (its DOMParser is the independent XML
// parser): the structure and attributes of the Jenkins/Ant JUnit schema, with the counts
// of each <testsuite> equal to its <testcase> results. Plain JS: it runs in the page.
// Returns { problems: string[], tests: number }.
function checkJunitShape(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const problems = [];
  if (doc.getElementsByTagName('parsererror').length > 0) return { problems: ['not well-formed XML'], tests: 0 };
  const root = doc.documentElement;
  if (root.tagName !== 'testsuites') problems.push(`root is <${root.tagName}>`);
  const int = (el, a) => {
    const v = el.getAttribute(a);
    if (v === null || !/^\d+$/.test(v)) problems.push(`<${el.tagName} ${el.getAttribute('name')}> ${a}="${v}" is not a count`);
    return Number(v);
  };
  const time = (el) => {
    const v = el.getAttribute('time');
    if (v !== null && !/^\d+(\.\d{1,3})?$/.test(v)) problems.push(`time="${v}"`);
  };
  for (const a of [...root.attributes]) if (!['name', 'tests', 'failures', 'errors', 'time', 'disabled'].includes(a.name)) problems.push(`testsuites has ${a.name}`);
  let tests = 0;
  for (const suite of [...root.children]) {
    if (suite.tagName !== 'testsuite') { problems.push(`<${suite.tagName}> in testsuites`); continue; }
    for (const a of ['name', 'timestamp', 'hostname', 'package', 'id']) if (!suite.getAttribute(a)) problems.push(`testsuite lacks ${a}`);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(suite.getAttribute('timestamp') ?? '')) problems.push('timestamp not ISO 8601 without zone');
    time(suite);
    const n = { tests: int(suite, 'tests'), failures: int(suite, 'failures'), errors: int(suite, 'errors'), skipped: int(suite, 'skipped') };
    const order = ['properties', 'testcase', 'system-out', 'system-err'];
    let last = 0;
    const seen = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    for (const child of [...suite.children]) {
      const k = order.indexOf(child.tagName);
      if (k < last || k < 0) problems.push(`<${child.tagName}> out of order in testsuite`);
      last = Math.max(last, k);
      if (child.tagName === 'properties') {
        for (const p of [...child.children]) if (p.tagName !== 'property' || p.getAttribute('name') === null || p.getAttribute('value') === null) problems.push('bad <property>');
      }
      if (child.tagName !== 'testcase') continue;
      seen.tests++;
      if (!child.getAttribute('name') || !child.getAttribute('classname')) problems.push('testcase lacks name or classname');
      time(child);
      const kids = [...child.children];
      if (kids.length > 1) problems.push('testcase with more than one result element');
      for (const r of kids) {
        if (r.tagName === 'failure') seen.failures++;
        else if (r.tagName === 'error') seen.errors++;
        else if (r.tagName === 'skipped') seen.skipped++;
        else problems.push(`<${r.tagName}> in testcase`);
        if (!r.getAttribute('message')) problems.push(`<${r.tagName}> without message`);
      }
    }
    if (JSON.stringify(seen) !== JSON.stringify(n)) problems.push(`counts ${JSON.stringify(n)} but children ${JSON.stringify(seen)}`);
    tests += n.tests;
  }
  if (Number(root.getAttribute('tests')) !== tests) problems.push('testsuites tests != sum');
  return { problems, tests };
}
