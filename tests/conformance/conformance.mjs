// Aftercare's /fhir as a third-party integrator meets it: fhir-kit-client (npm), a SMART backend-services
// token got with an assertion this script signs itself (jose), and the CapabilityStatement as the input.
// Every interaction and search parameter the statement declares is exercised; one it declares that this
// suite has no way to exercise is a failure, so the statement cannot promise what nobody tried.
//
// Environment (FhirConformanceSuiteTests sets it): AFTERCARE_BASE (the server's root URL), CLIENT_ID and
// KEY_FILE (a registered backend client with system/*.read system/*.write system/AuditEvent.read, and its private key as PKCS#8
// PEM), READONLY_CLIENT_ID and READONLY_KEY_FILE (one with system/*.read only), PATIENTS (demo person
// ids, comma-separated, the first with the most records), PATIENT_IDENTIFIER (system|value of the first),
// SITE (system|value of a site), NO_PLAN_PATIENT (a person without a safety plan), SAFETY_PLAN_TITLES and
// SAFETY_PLAN_CODES (JSON: the seven section titles and their codes in CodeSystem/safety-plan-section, in
// order). Prints one line per check and exits with the failure count.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client } from 'fhir-kit-client';
import { SignJWT, importPKCS8 } from 'jose';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env('AFTERCARE_BASE').replace(/\/$/, '');
const fhirBase = `${base}/fhir`;
const patients = env('PATIENTS').split(',');
const patient = patients[0];

// What issue 13 has still to build, by check name prefix. A listed check that fails is reported as "not yet"
// and not counted as a failure; one that passes is a failure, so the list can only shrink.
const notYet = [
];
let passed = 0;
let failed = 0;
let pending = 0;
const check = async (name, body) => {
  const gap = notYet.find(([prefix]) => name.startsWith(prefix));
  try {
    await body();
    if (gap) {
      failed++;
      console.log(`not ok - ${name}: works now, so take it off the not-yet list`);
      return;
    }
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    if (gap) {
      pending++;
      console.log(`not yet - ${name}: ${gap[1]}`);
      return;
    }
    failed++;
    const detail = e?.response ? `HTTP ${e.response.status}: ${String(typeof e.response.data === 'string' ? e.response.data : JSON.stringify(e.response.data)).slice(0, 400)}` : e?.message ?? String(e);
    console.log(`not ok - ${name}: ${detail}`);
  }
};
const expect = (condition, message) => {
  if (!condition) throw new Error(message);
};
const statusOf = async (promise) => {
  try {
    await promise;
    return 200;
  } catch (e) {
    if (e?.response?.status) return e.response.status;
    throw e;
  }
};

// --- SMART backend services: a token for a signed assertion -------------------------------------
// The server's clock, in seconds: NOW when the test host runs on a fixed clock, else this machine's.
const serverNow = () => Math.floor((process.env.NOW ? Date.parse(process.env.NOW) : Date.now()) / 1000);
const smart = await (await fetch(`${fhirBase}/.well-known/smart-configuration`)).json();
const assertion = async (clientId, keyFile) => {
  const key = await importPKCS8(readFileSync(keyFile, 'utf8'), 'RS384');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS384', kid: `${clientId}-key`, typ: 'JWT' })
    .setIssuer(clientId).setSubject(clientId).setAudience(smart.token_endpoint)
    .setJti(randomUUID()).setIssuedAt(serverNow()).setExpirationTime(serverNow() + 240)
    .sign(key);
};
const tokenResponse = async (scope, signed) =>
  fetch(smart.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: signed,
    }),
  });
const tokenFor = async (clientId, keyFile, scope) => {
  const response = await tokenResponse(scope, await assertion(clientId, keyFile));
  const body = await response.json();
  if (!response.ok) throw new Error(`token: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
};

const token = await tokenFor(env('CLIENT_ID'), env('KEY_FILE'), 'system/*.read system/*.write system/AuditEvent.read');
const client = new Client({ baseUrl: fhirBase, bearerToken: token });
// Strict handling: a parameter the server does not know is refused, so a search that succeeds used it.
const strict = { headers: { Prefer: 'handling=strict' } };

const statement = await client.capabilityStatement();
const rest = statement.rest[0];

// --- What this suite knows how to give each declared search parameter ----------------------------
const [siteSystem, siteCode] = env('SITE').split('|');
// The identifiers an emergency department gives what it sends (Encounter, Condition).
const edSystem = 'https://ed.conformance.example/Id/encounter';
const valueFor = (type, param) => {
  switch (param.name) {
    case 'patient': return `Patient/${patient}`;
    case 'subject': return `Patient/${patient}`;
    case 'identifier': return type === 'Patient' ? env('PATIENT_IDENTIFIER') : type === 'Organization' || type === 'Group' ? `${siteSystem}|${siteCode}`
      : ['Encounter', 'Condition'].includes(type) ? `${edSystem}|${type}-none` : undefined;
    case 'date': return 'ge2000-01-01';
    case '_lastUpdated': return 'ge2000-01-01';
    case '_count': return '2';
    case '_offset': return '0';
    case '_summary': return 'count';
    case '_sort': return '-date';
    case 'category': return type === 'CarePlan' ? 'http://loinc.org|87626-8' : undefined;
    case 'activity-code': return type === 'CarePlan' ? `${fhirBase}/CodeSystem/safety-plan-section|reasons-for-living` : undefined;
    // A definition's own canonical URL, as the search that found it gave it.
    case 'url': return instances[type]?.url;
    case 'name': return type === 'Practitioner' ? 'a' : undefined;
    case 'status': return statuses[type];
    default: return undefined;
  }
};
// A status each type really uses (the search must take it; whether anything matches is not the point here).
const statuses = {
  Encounter: 'finished', CarePlan: 'active', EpisodeOfCare: 'active', ServiceRequest: 'active', QuestionnaireResponse: 'completed',
  Task: 'requested', Appointment: 'booked', CommunicationRequest: 'active', Communication: 'completed', Consent: 'active', DocumentReference: 'current',
};
// What a search of a type must always carry: a person's records are searched by person, and people by identifier.
const required = (type, resource) => (type === 'Patient' ? { identifier: env('PATIENT_IDENTIFIER') } : byPatient(resource) ? { patient } : {});
// Parameters that narrow to one person's records need that person named too (the server asks for it).
const byPatient = (resource) => resource.searchParam?.some((p) => p.name === 'patient');

const entries = (bundle) => (bundle.entry ?? []).map((e) => e.resource).filter((r) => r);
const searchOf = async (type, params) => {
  const bundle = await client.search({ resourceType: type, searchParams: params, options: strict });
  expect(bundle.resourceType === 'Bundle' && bundle.type === 'searchset', `${type}: not a searchset Bundle`);
  for (const e of bundle.entry ?? []) {
    if (e.search?.mode === 'include') continue;
    expect(e.resource?.resourceType === type || e.resource?.resourceType === 'OperationOutcome', `${type}: an entry is a ${e.resource?.resourceType}`);
  }
  return bundle;
};

// An instance of each type, found the way a client would: by searching, or by following a reference
// (a canonical or a literal "Type/id") that another resource carries.
const instances = { Patient: { id: patient } };
const referenced = {};
const remember = (node) => {
  if (Array.isArray(node)) return node.forEach(remember);
  if (node === null || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'reference' || key === 'questionnaire') && typeof value === 'string') {
      const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(value);
      if (match && !match[0].includes('_history')) referenced[match[1]] ??= { id: match[2] };
    } else remember(value);
  }
  return undefined;
};
for (const resource of rest.resource) {
  if (instances[resource.type] || !resource.interaction?.some((i) => i.code === 'search-type')) continue;
  const candidates = byPatient(resource) ? patients.map((p) => ({ patient: p })) : [required(resource.type, resource)];
  for (const params of candidates) {
    const found = await searchOf(resource.type, params).then(entries, () => []);
    found.forEach(remember);
    const own = found.find((r) => r.resourceType === resource.type);
    if (own) {
      instances[resource.type] = own;
      break;
    }
  }
}

for (const resource of rest.resource) {
  const type = resource.type;
  const interactions = (resource.interaction ?? []).map((i) => i.code);

  if (interactions.includes('search-type')) {
    for (const param of resource.searchParam ?? []) {
      await check(`${type}: search by ${param.name}`, async () => {
        const value = valueFor(type, param);
        expect(value !== undefined, `declared, but the suite has no value to search ${type} by ${param.name}: add one`);
        const params = param.name === 'subject' ? { subject: value } : { ...required(type, resource), [param.name]: value };
        const bundle = await searchOf(type, params);
        if (param.name === '_count') expect(entries(bundle).filter((r) => r.resourceType === type).length <= 2, `${type}: _count=2 gave more than 2`);
        if (param.name === 'identifier' && type === 'Patient') expect(entries(bundle).some((r) => r.id === patient), 'Patient by identifier did not find the person');
      });
    }
  }

  // Every _include and _revinclude declared: the included resources come back marked as such (search.mode include),
  // beside the matches they belong to; one declared that brings nothing back for a match is a failure.
  for (const [kind, names] of [['_include', resource.searchInclude ?? []], ['_revinclude', resource.searchRevInclude ?? []]]) {
    for (const name of names) {
      await check(`${type}: search with ${kind}=${name}`, async () => {
        const bundle = await searchOf(type, { ...required(type, resource), [kind]: name });
        const matches = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match');
        const included = (bundle.entry ?? []).filter((e) => e.search?.mode === 'include');
        expect(matches.length === 0 || included.length > 0, `${matches.length} match(es) and nothing included`);
        if (kind === '_revinclude') expect(included.every((e) => e.resource.resourceType === name.split(':')[0]), `an included resource is not a ${name.split(':')[0]}`);
      });
    }
  }

  const instance = instances[type] ?? referenced[type];
  if (interactions.includes('read')) {
    await check(`${type}: read`, async () => {
      expect(instance, `no ${type} found by search to read (the demo data should hold one)`);
      const read = await client.read({ resourceType: type, id: instance.id });
      expect(read.resourceType === type && read.id === instance.id, `${type}: read gave ${read.resourceType}/${read.id}`);
    });
  }
  if (interactions.includes('vread')) {
    await check(`${type}: vread`, async () => {
      expect(instance, `no ${type} found to vread`);
      const current = await client.read({ resourceType: type, id: instance.id });
      const version = current.meta?.versionId;
      expect(version, `${type}: no meta.versionId to vread`);
      const read = await client.vread({ resourceType: type, id: instance.id, version });
      expect(read.meta?.versionId === version, `${type}: vread ${version} gave ${read.meta?.versionId}`);
    });
  }
  if (interactions.includes('history-instance')) {
    await check(`${type}: history of an instance`, async () => {
      expect(instance, `no ${type} found to read the history of`);
      const history = await client.history({ resourceType: type, id: instance.id });
      expect(history.resourceType === 'Bundle' && history.type === 'history', `${type}: history is not a history Bundle`);
      expect((history.entry ?? []).length >= 1, `${type}: history has no entries`);
    });
  }
  for (const code of interactions.filter((i) => !['search-type', 'read', 'vread', 'history-instance', 'create', 'update'].includes(i))) {
    await check(`${type}: ${code}`, async () => { throw new Error(`declared, but the suite does not exercise ${code}: add it`); });
  }
}

// --- Writes: the safety plan, as an app keeping it with the person would ----------------------------
const carePlan = rest.resource.find((r) => r.type === 'CarePlan');
const writes = (carePlan?.interaction ?? []).map((i) => i.code);
const titles = JSON.parse(env('SAFETY_PLAN_TITLES'));
const sectionCodes = JSON.parse(env('SAFETY_PLAN_CODES'));
// Each section by its code in the server's own CodeSystem (the code is what is read; the title is for people).
const sectionSystem = `${fhirBase}/CodeSystem/safety-plan-section`;
const safetyPlan = (words, status) => ({
  resourceType: 'CarePlan', status, intent: 'plan', subject: { reference: `Patient/${env('NO_PLAN_PATIENT')}` },
  category: [{ coding: [{ system: 'http://loinc.org', code: '87626-8' }] }],
  activity: titles.map((title, i) => ({ detail: { status: 'not-started', code: { coding: [{ system: sectionSystem, code: sectionCodes[i] }], text: title }, description: `${words}: ${title}` } })),
});
let created;
if (writes.includes('create')) {
  await check('CarePlan: create a safety plan', async () => {
    created = await client.create({ resourceType: 'CarePlan', body: safetyPlan('Walk by the river', 'draft') });
    expect(created.resourceType === 'CarePlan' && created.id, 'create did not return the plan');
    expect(created.activity?.[0]?.detail?.description?.startsWith('Walk by the river'), 'the words did not come back');
  });
}
if (writes.includes('update')) {
  await check('CarePlan: update with If-Match, and a stale If-Match is 412', async () => {
    expect(created, 'nothing created to update');
    const version = created.meta.versionId;
    const body = { ...safetyPlan('Ring my sister', 'draft'), id: created.id };
    const updated = await client.update({ resourceType: 'CarePlan', id: created.id, body, options: { headers: { 'If-Match': `W/"${version}"` } } });
    expect(updated.meta.versionId !== version, 'the version did not move on');
    expect(await statusOf(client.update({ resourceType: 'CarePlan', id: created.id, body, options: { headers: { 'If-Match': `W/"${version}"` } } })) === 412, 'a stale update was not 412');
  });
}

// --- The system interaction: intake by transaction -----------------------------------------------
const systemInteractions = (rest.interaction ?? []).map((i) => i.code);
if (systemInteractions.includes('transaction')) {
  await check('transaction: an emergency department registers a presentation', async () => {
    const mrn = `CONF${Date.now()}`;
    const bundle = {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'urn:uuid:7f0e9a52-0000-4000-8000-000000000001', request: { method: 'POST', url: 'Patient' },
          resource: { resourceType: 'Patient', identifier: [{ system: env('PATIENT_IDENTIFIER').split('|')[0], value: mrn }], name: [{ family: 'Conformance', given: ['Sam'] }], birthDate: '1991-02-03' } },
        { fullUrl: 'urn:uuid:7f0e9a52-0000-4000-8000-000000000002', request: { method: 'POST', url: 'Encounter' },
          resource: { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
            subject: { reference: 'urn:uuid:7f0e9a52-0000-4000-8000-000000000001' }, period: { start: new Date((serverNow() - 3600) * 1000).toISOString() },
            serviceProvider: { identifier: { system: siteSystem, value: siteCode } } } },
      ],
    };
    const response = await client.transaction({ body: bundle });
    expect(response.type === 'transaction-response', `got a ${response.type}`);
    expect((response.entry ?? []).every((e) => /^20[01]/.test(e.response?.status ?? '')), 'an entry did not succeed');
  });
}
const encounterDeclared = rest.resource.find((r) => r.type === 'Encounter');
if (encounterDeclared?.conditionalCreate || encounterDeclared?.conditionalUpdate) {
  await check('Encounter: conditional create by identifier, found by identifier, then withdrawn as entered-in-error', async () => {
    const value = `ED${Date.now()}`;
    const body = { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
      identifier: [{ system: edSystem, value }], subject: { reference: `Patient/${patient}` }, period: { start: new Date((serverNow() - 1800) * 1000).toISOString() },
      serviceProvider: { identifier: { system: siteSystem, value: siteCode } } };
    const headers = { 'If-None-Exist': `identifier=${edSystem}|${value}` };
    const first = await client.create({ resourceType: 'Encounter', body, options: { headers } });
    const again = await client.create({ resourceType: 'Encounter', body, options: { headers } });
    expect(first.id && again.id === first.id, 'a second conditional create made a second presentation');
    const found = await searchOf('Encounter', { identifier: `${edSystem}|${value}` });
    expect(entries(found).length === 1 && entries(found)[0].id === first.id, 'Encounter?identifier= did not find it');
    if (encounterDeclared.conditionalUpdate) {
      // The reason's extension, as the statement documents it.
      // The statement names it by its path "on this server": resolved against the FHIR base, as a client would.
      const named = (encounterDeclared.interaction.find((i) => i.code === 'update')?.documentation ?? '').match(/\S+entered-in-error-reason/)?.[0];
      const reasonUrl = named && (/^https?:/.test(named) ? named : `${fhirBase}/${named}`);
      expect(reasonUrl, 'the update interaction does not name the reason extension');
      const withdrawn = await client.update({ resourceType: 'Encounter', id: first.id, body: { ...body, id: first.id, status: 'entered-in-error',
        extension: [{ url: reasonUrl, valueString: 'Conformance: sent by mistake.' }] } });
      expect(withdrawn.status === 'entered-in-error', 'the withdrawal did not read back entered-in-error');
      expect(await statusOf(client.delete({ resourceType: 'Encounter', id: first.id })) === 405, 'DELETE of an Encounter was not 405');
    }
  });
}
for (const code of systemInteractions.filter((i) => i !== 'transaction')) {
  await check(`system: ${code}`, async () => { throw new Error(`declared, but the suite does not exercise ${code}: add it`); });
}

// --- Bulk Data $export, as a registry runs it: kick-off, poll, download, delete -----------------
const operations = [...(rest.operation ?? []).map((o) => ({ at: '', ...o })),
  ...rest.resource.flatMap((r) => (r.operation ?? []).map((o) => ({ at: r.type, ...o })))];
const bulk = { authorization: `Bearer ${token}`, accept: 'application/fhir+json', prefer: 'respond-async' };
const exportDance = async (path) => {
  const kickOff = await fetch(`${fhirBase}/${path}`, { headers: bulk });
  expect(kickOff.status === 202, `kick-off got ${kickOff.status}: ${await kickOff.text()}`);
  const status = kickOff.headers.get('content-location');
  expect(status, 'no Content-Location');
  let manifest;
  for (let i = 0; i < 1200 && !manifest; i++) {
    const poll = await fetch(status, { headers: { authorization: `Bearer ${token}` } });
    if (poll.status === 200) manifest = await poll.json();
    else {
      expect(poll.status === 202 && poll.headers.get('x-progress') && poll.headers.get('retry-after'), `poll got ${poll.status}`);
      await new Promise((resolve) => { setTimeout(resolve, 50); });
    }
  }
  expect(manifest, 'the export never finished');
  expect(manifest.requiresAccessToken === true && manifest.transactionTime && Array.isArray(manifest.error), 'not a Bulk Data manifest');
  for (const file of manifest.output) {
    const response = await fetch(file.url, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status === 200 && response.headers.get('content-type').startsWith('application/fhir+ndjson'), `${file.url}: ${response.status}`);
    const lines = (await response.text()).split('\n').filter((l) => l);
    expect(lines.length === file.count, `${file.type}: ${lines.length} lines, manifest says ${file.count}`);
    expect(lines.every((l) => JSON.parse(l).resourceType === file.type), `${file.type}: a line of another type`);
  }
  expect((await fetch(status, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status === 202, 'DELETE is not 202');
  expect((await fetch(status, { headers: { authorization: `Bearer ${token}` } })).status === 404, 'still there after DELETE');
  return manifest;
};
const groupId = (await searchOf('Group', { identifier: `${siteSystem}|${siteCode}` }).then(entries, () => []))[0]?.id;
for (const operation of operations) {
  await check(`${operation.at || 'system'}: $${operation.name}`, async () => {
    expect(operation.name === 'export', `declared, but the suite does not exercise $${operation.name}: add it`);
    const path = operation.at === 'Group' ? `Group/${groupId}/$export` : operation.at ? `${operation.at}/$export` : '$export';
    const manifest = await exportDance(`${path}?_type=Patient,Encounter`);
    expect(manifest.output.some((f) => f.type === 'Patient'), 'no Patient file');
  });
}
await check('refused: $export without Prefer: respond-async is 400', async () => {
  const response = await fetch(`${fhirBase}/$export`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
  expect(response.status === 400 && (await response.json()).resourceType === 'OperationOutcome', `got ${response.status}`);
});

// --- Refusals an integrator relies on ----------------------------------------------------------
await check('refused: an unknown search parameter under strict handling is 400', async () => {
  expect(await statusOf(client.search({ resourceType: 'Encounter', searchParams: { patient, 'no-such-parameter': 'x' }, options: strict })) === 400, 'not 400');
});
await check('refused: a RiskAssessment is 422 (no risk prediction, rule 1)', async () => {
  const risk = { resourceType: 'RiskAssessment', status: 'final', subject: { reference: `Patient/${patient}` } };
  expect(await statusOf(client.create({ resourceType: 'RiskAssessment', body: risk })) === 422, 'not 422');
});
await check('refused: a read-only client cannot send a presentation in (403)', async () => {
  const readOnly = new Client({ baseUrl: fhirBase, bearerToken: await tokenFor(env('READONLY_CLIENT_ID'), env('READONLY_KEY_FILE'), 'system/*.read') });
  expect(await statusOf(readOnly.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry: [] } })) === 403, 'not 403');
});
await check('refused: no token is 401', async () => {
  expect(await statusOf(new Client({ baseUrl: fhirBase }).read({ resourceType: 'Patient', id: patient })) === 401, 'not 401');
});
await check('refused: a record that does not exist is 404 with an OperationOutcome', async () => {
  try {
    await client.read({ resourceType: 'Patient', id: randomUUID() });
    throw new Error('read succeeded');
  } catch (e) {
    expect(e?.response?.status === 404, `got ${e?.response?.status}`);
    const data = typeof e.response.data === 'string' ? JSON.parse(e.response.data) : e.response.data;
    expect(data?.resourceType === 'OperationOutcome', 'no OperationOutcome');
  }
});

await check('refused: a client assertion sent twice gives one token, then invalid_client', async () => {
  const signed = await assertion(env('CLIENT_ID'), env('KEY_FILE'));
  const first = await tokenResponse('system/*.read', signed);
  expect(first.ok, `the first use got ${first.status}`);
  const again = await tokenResponse('system/*.read', signed);
  const body = await again.json();
  expect(again.status === 400 && body.error === 'invalid_client', `the replay got ${again.status} ${JSON.stringify(body)}`);
});
await check('refused: a PUT whose body id is not the URL id is 400', async () => {
  expect(created, 'nothing created to update');
  const current = await client.read({ resourceType: 'CarePlan', id: created.id });
  const body = { ...safetyPlan('Someone else', 'draft'), id: randomUUID() };
  expect(await statusOf(client.update({ resourceType: 'CarePlan', id: created.id, body, options: { headers: { 'If-Match': `W/"${current.meta.versionId}"` } } })) === 400, 'not 400');
});
await check('refused: a write that is not FHIR JSON is 415', async () => {
  const response = await fetch(fhirBase, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: '{"resourceType":"Bundle","type":"transaction","entry":[]}' });
  expect(response.status === 415, `got ${response.status}`);
  expect((await response.json()).resourceType === 'OperationOutcome', 'no OperationOutcome');
});
await check('refused: asking for XML is 406 (JSON only, as the statement says)', async () => {
  expect((statement.format ?? []).every((f) => /json/.test(f)), `the statement lists ${statement.format}`);
  const response = await fetch(`${fhirBase}/Patient/${patient}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+xml' } });
  expect(response.status === 406, `got ${response.status}`);
});
await check('refused: an unknown type is 404 with an OperationOutcome', async () => {
  const response = await fetch(`${fhirBase}/NoSuchType/1`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status === 404 && (await response.json()).resourceType === 'OperationOutcome', `got ${response.status}`);
});

console.log(`${passed} passed, ${failed} failed${pending ? `, ${pending} not yet built` : ''}`);
process.exit(failed === 0 ? 0 : 1);
