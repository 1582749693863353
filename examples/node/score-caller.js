#!/usr/bin/env node
// A Node.js producer of the demo loan queues, written the way existing Node services call a
// request-reply service on RabbitMQ: amqplib, direct reply-to (amq.rabbitmq.reply-to) and one
// correlation id per request. Each applicant of a CSV extract goes out twice: as JSON to
// scoregate.demo.json and as an EBCDIC LOAN-REQUEST record (loan-record.js) to
// scoregate.demo.fixedwidth. Every reply is matched to its request by correlation id, read in its
// own format and printed as one tab-separated line:
//
//   REPLY  format=json|fixed  id=APPLICATION-ID  correlation=...  status=...  <the reply's fields>
//
// A request with no reply in time is printed as MISSING, a second reply to a request as DUPLICATE
// and a reply nobody asked for as UNEXPECTED; any of them makes the exit code 3.
//
// --malformed field adds two broken requests: JSON whose age is text (BAD-FIELD-J) and a record
// whose packed ANNUAL-INCOME holds spaces (BAD-FIELD-F), a COBOL program's uninitialised COMP-3.
// --malformed content-type adds a JSON request labelled application/xml (BAD-CTYPE).
//
//   node score-caller.js [--url amqp://guest:guest@127.0.0.1:5672/%2F] [--json-queue Q]
//        [--fixed-queue Q] [--timeout-s 30] [--settle-ms 500] [--malformed field|content-type] applicants.csv

'use strict';

const fs = require('node:fs');
const { randomUUID } = require('node:crypto');
const amqp = require('amqplib');
const ebcdic = require('./ebcdic');
const { requestRecord, readResponse, ANNUAL_INCOME } = require('./loan-record');

const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
const STATUS_HEADER = 'x-scoregate-status';
// The JSON interface names the codes the copybook's 88-levels abbreviate.
const HOME = { R: 'RENT', O: 'OWN', M: 'MORTGAGE', X: 'OTHER' };
const PURPOSE = {
  DC: 'DEBT_CONSOLIDATION', CC: 'CREDIT_CARD', HI: 'HOME_IMPROVEMENT', CA: 'CAR', SB: 'SMALL_BUSINESS', OT: 'OTHER',
};
const USAGE = 'usage: node score-caller.js [--url URL] [--json-queue Q] [--fixed-queue Q] [--timeout-s N] '
  + '[--settle-ms N] [--malformed field|content-type] applicants.csv';

function parseArgs(argv) {
  const options = {
    '--url': 'amqp://guest:guest@127.0.0.1:5672/%2F', '--json-queue': 'scoregate.demo.json',
    '--fixed-queue': 'scoregate.demo.fixedwidth', '--timeout-s': '30', '--settle-ms': '500',
  };
  const malformed = [];
  let csv = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--malformed' && ['field', 'content-type'].includes(argv[i + 1])) malformed.push(argv[++i]);
    else if (argv[i] in options && i + 1 < argv.length) options[argv[i]] = argv[++i];
    else if (csv === null && !argv[i].startsWith('--')) csv = argv[i];
    else usage();
  }
  if (csv === null) usage();
  return { options, malformed, csv };
}

function usage() {
  console.error(USAGE);
  process.exit(2);
}

/** A CSV extract with a header row; no quoting (the demo data has no commas in values). */
function readCsv(path) {
  const [header, ...lines] = fs.readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line.trim());
  const names = header.split(',').map((n) => n.trim());
  return lines.map((line) => {
    const values = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, (values[i] ?? '').trim()]));
  });
}

const number = (text) => (text === undefined || text.trim() === '' ? null : Number(text));

/** The JSON request of the demo queue (app/defaults/amqp/sample-request.json). */
function jsonRequest(row) {
  const credit = {};
  for (const name of ['debt_to_income', 'revolving_utilisation', 'open_accounts', 'history_years', 'delinquencies_2y',
    'months_since_last_delinquency', 'inquiries_6m', 'bankruptcies', 'savings_balance']) {
    credit[name] = number(row[name]);
  }
  return {
    application: { id: row.application_id },
    applicant: {
      age: number(row.age), annual_income: number(row.annual_income), employment_years: number(row.employment_years),
      home_ownership: HOME[row.home_ownership] ?? row.home_ownership, residence_years: number(row.residence_years),
      dependants: number(row.dependants),
    },
    loan: {
      amount: number(row.loan_amount), term_months: number(row.term_months),
      purpose: PURPOSE[row.purpose] ?? row.purpose, interest_rate: number(row.interest_rate),
      cosigner: row.cosigner === 'Y' ? 1 : 0,
    },
    credit,
  };
}

/** The requests to send: [{format, id, queue, body, contentType, contentEncoding}]. */
function requests(rows, options, malformed) {
  const out = [];
  const json = (id, doc, contentType = 'application/json') => out.push({
    format: 'json', id, queue: options['--json-queue'], body: Buffer.from(JSON.stringify(doc)), contentType,
    contentEncoding: 'utf-8',
  });
  // amqplib sets no content type unless told, and producers of binary records often leave it out:
  // the queue's format is assumed (as the JSON queue would assume JSON).
  const fixed = (id, record) => out.push({ format: 'fixed', id, queue: options['--fixed-queue'], body: record });
  for (const row of rows) {
    json(row.application_id, jsonRequest(row));
    fixed(row.application_id, requestRecord(row));
  }
  const model = rows[0];
  if (malformed.includes('field')) {
    const doc = jsonRequest({ ...model, application_id: 'BAD-FIELD-J' });
    doc.applicant.age = 'forty-one';
    json('BAD-FIELD-J', doc);
    const record = requestRecord({ ...model, application_id: 'BAD-FIELD-F' });
    record.fill(ebcdic.SPACE, ANNUAL_INCOME.offset, ANNUAL_INCOME.offset + ANNUAL_INCOME.length);
    fixed('BAD-FIELD-F', record);
  }
  if (malformed.includes('content-type')) {
    json('BAD-CTYPE', jsonRequest({ ...model, application_id: 'BAD-CTYPE' }), 'application/xml');
  }
  return out;
}

/** A reply's fields as NAME=value pairs, read in the reply's own format. */
function readReply(format, body) {
  if (format === 'fixed') return readResponse(body);
  const doc = JSON.parse(body.toString('utf8'));
  const fields = { application_id: doc.application_id };
  for (const part of ['result', 'error']) {
    for (const [key, value] of Object.entries(doc[part] ?? {})) {
      fields[`${part}.${key}`] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  return fields;
}

const clean = (value) => String(value).replace(/[\t\r\n]/g, ' ');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const { options, malformed, csv } = parseArgs(process.argv.slice(2));
  const timeoutMs = Number(options['--timeout-s']) * 1000;
  const toSend = requests(readCsv(csv), options, malformed);
  const sent = new Map(); // correlation id -> request
  const replies = new Map(); // correlation id -> [message]
  const unexpected = [];

  const connection = await amqp.connect(options['--url'], { clientProperties: { connection_name: 'scoregate-node-example' } });
  const channel = await connection.createChannel();
  channel.on('return', (message) => console.log(`UNROUTABLE\tqueue=${message.fields.routingKey}`));
  // Direct reply-to: consume the pseudo-queue (no ack) on the channel that publishes, before publishing.
  await channel.consume(DIRECT_REPLY_TO, (message) => {
    const id = message.properties.correlationId;
    if (sent.has(id)) replies.set(id, [...(replies.get(id) ?? []), message]);
    else unexpected.push(message);
  }, { noAck: true });
  for (const request of toSend) {
    const correlationId = randomUUID();
    sent.set(correlationId, request);
    channel.sendToQueue(request.queue, request.body, {
      correlationId, messageId: correlationId, replyTo: DIRECT_REPLY_TO, persistent: true, mandatory: true,
      contentType: request.contentType, contentEncoding: request.contentEncoding,
      // Not worth scoring after this caller has given up on it.
      timestamp: Math.floor(Date.now() / 1000), expiration: String(timeoutMs),
    });
  }
  const deadline = Date.now() + timeoutMs;
  while (replies.size < sent.size && Date.now() < deadline) await sleep(20);
  // A second reply to the same request would come soon after the first: listen a little longer.
  await sleep(Number(options['--settle-ms']));
  await connection.close();

  let problems = 0;
  for (const [correlationId, request] of sent) {
    const got = replies.get(correlationId) ?? [];
    const where = `format=${request.format}\tid=${request.id}\tcorrelation=${correlationId}`;
    if (got.length === 0) {
      console.log(`MISSING\t${where}`);
      problems++;
      continue;
    }
    if (got.length > 1) {
      console.log(`DUPLICATE\t${where}\treplies=${got.length}`);
      problems++;
    }
    const [reply] = got;
    const fields = Object.entries(readReply(request.format, reply.content)).map(([k, v]) => `${k}=${clean(v)}`);
    console.log(['REPLY', where, `status=${reply.properties.headers?.[STATUS_HEADER]}`,
      `content_type=${reply.properties.contentType}`, ...fields].join('\t'));
  }
  for (const message of unexpected) {
    console.log(`UNEXPECTED\tcorrelation=${message.properties.correlationId}`);
    problems++;
  }
  process.exitCode = problems === 0 ? 0 : 3;
}

main().catch((error) => {
  console.error(`score-caller: ${error.message}`);
  process.exitCode = 1;
});
