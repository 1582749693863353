// The demo queue's fixed-width records, laid out by hand from the copybooks
// (app/defaults/amqp/copybooks/LOANREQ.cpy and LOANRESP.cpy): EBCDIC text padded with spaces,
// zoned decimals one digit per byte (zone F), packed decimals (COMP-3) two digits per byte with the
// sign in the last nibble. No scoregate code and no COBOL library is involved.

'use strict';

const ebcdic = require('./ebcdic');

const REQUEST_LENGTH = 83; // LOAN-REQUEST
const RESPONSE_LENGTH = 135; // LOAN-RESPONSE

/** Digits of a decimal string scaled to `scale` places, zero-filled to `digits`; no rounding. */
function unscaled(value, digits, scale, signed) {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(value).trim());
  if (!match) throw new RangeError(`${value} is not a number`);
  const [, minus, whole, fraction = ''] = match;
  if (minus && !signed) throw new RangeError(`${value} is negative for an unsigned field`);
  if (fraction.replace(/0+$/, '').length > scale) throw new RangeError(`${value} has more than ${scale} decimals`);
  const text = (whole + fraction.padEnd(scale, '0')).replace(/^0+(?=\d)/, '');
  if (text.length > digits) throw new RangeError(`${value} does not fit ${digits} digits`);
  return { text: text.padStart(digits, '0'), negative: minus === '-' && /[1-9]/.test(text) };
}

/** Fills a record left to right, field after field, as the copybook lists them. */
class RecordWriter {
  constructor(length) {
    this.record = Buffer.alloc(length);
    this.at = 0;
  }

  /** PIC X(n): EBCDIC text, left-justified, padded with spaces; empty is all spaces. */
  text(length, value) {
    const bytes = ebcdic.encode(value ?? '');
    if (bytes.length > length) throw new RangeError(`'${value}' is longer than PIC X(${length})`);
    this.record.fill(ebcdic.SPACE, this.at, this.at + length);
    bytes.copy(this.record, this.at);
    this.at += length;
  }

  /** PIC 9(whole)V9(scale), DISPLAY, unsigned: one byte per digit, zone F. */
  zoned(whole, scale, value) {
    const { text } = unscaled(value, whole + scale, scale, false);
    for (const digit of text) this.record[this.at++] = 0xf0 | Number(digit);
  }

  /** PIC S9(whole)V9(scale) COMP-3: a leading zero nibble when the digit count is even, sign C or D. */
  packed(whole, scale, value) {
    const digits = whole + scale;
    const { text, negative } = unscaled(value, digits, scale, true);
    const nibbles = [...(digits % 2 === 0 ? '0' : '') + text].map(Number);
    nibbles.push(negative ? 0x0d : 0x0c);
    for (let i = 0; i < nibbles.length; i += 2) this.record[this.at++] = (nibbles[i] << 4) | nibbles[i + 1];
  }

  done() {
    if (this.at !== this.record.length) throw new Error(`record filled to ${this.at} of ${this.record.length} bytes`);
    return this.record;
  }
}

function required(row, name) {
  const value = row[name];
  if (value === undefined || value.trim() === '') throw new RangeError(`${row.application_id}: ${name} is required`);
  return value;
}

/** One LOAN-REQUEST record from an applicant row (field names of the CSV extract). */
function requestRecord(row) {
  const w = new RecordWriter(REQUEST_LENGTH);
  w.text(12, row.application_id); // APPLICATION-ID PIC X(12)
  w.zoned(3, 0, required(row, 'age')); // APPLICANT-AGE PIC 9(3)
  w.packed(9, 2, required(row, 'annual_income')); // ANNUAL-INCOME PIC S9(9)V99 COMP-3
  w.text(4, row.employment_years); // EMPLOYMENT-YEARS PIC X(4)
  w.text(1, row.home_ownership); // HOME-OWNERSHIP PIC X(1), 88-levels R O M X
  w.zoned(2, 0, required(row, 'residence_years')); // RESIDENCE-YEARS PIC 9(2)
  w.zoned(2, 0, required(row, 'dependants')); // DEPENDANTS PIC 9(2)
  w.packed(7, 2, required(row, 'loan_amount')); // LOAN-AMOUNT PIC S9(7)V99 COMP-3
  w.zoned(3, 0, required(row, 'term_months')); // LOAN-TERM-MONTHS PIC 9(3)
  w.text(2, row.purpose); // LOAN-PURPOSE PIC X(2)
  w.zoned(2, 2, required(row, 'interest_rate')); // INTEREST-RATE PIC 9(2)V99
  w.text(1, row.cosigner); // HAS-COSIGNER PIC X(1)
  w.text(6, row.debt_to_income); // DEBT-TO-INCOME PIC X(6)
  w.text(6, row.revolving_utilisation); // REVOLVING-UTILISATION PIC X(6)
  w.zoned(2, 0, required(row, 'open_accounts')); // OPEN-ACCOUNTS PIC 9(2)
  w.text(4, row.history_years); // CREDIT-HISTORY-YEARS PIC X(4)
  w.zoned(2, 0, required(row, 'delinquencies_2y')); // DELINQUENCIES-2Y PIC 9(2)
  w.text(3, row.months_since_last_delinquency); // MONTHS-SINCE-DELINQ PIC X(3)
  w.zoned(2, 0, required(row, 'inquiries_6m')); // INQUIRIES-6M PIC 9(2)
  w.zoned(2, 0, required(row, 'bankruptcies')); // BANKRUPTCIES PIC 9(2)
  w.text(11, row.savings_balance); // SAVINGS-BALANCE PIC X(11)
  return w.done();
}

/** Offset of ANNUAL-INCOME (after APPLICATION-ID X(12) and APPLICANT-AGE 9(3)) and its length. */
const ANNUAL_INCOME = { offset: 15, length: 6 };

/** One LOAN-RESPONSE record -> its fields (numbers as text; a blank number as ''). */
function readResponse(record) {
  if (record.length !== RESPONSE_LENGTH) throw new RangeError(`LOAN-RESPONSE is ${RESPONSE_LENGTH} bytes, got ${record.length}`);
  let at = 0;
  const text = (length) => ebcdic.decode(record.subarray(at, (at += length))).trim();
  const zoned = (whole, scale) => {
    const bytes = record.subarray(at, (at += whole + scale));
    if (bytes.every((b) => b === ebcdic.SPACE)) return '';
    const digits = Array.from(bytes, (b) => (b >> 4 === 0xf && (b & 0x0f) <= 9 ? String(b & 0x0f) : '?')).join('');
    if (digits.includes('?')) return digits;
    return `${digits.slice(0, whole).replace(/^0+(?=\d)/, '')}${scale ? `.${digits.slice(whole)}` : ''}`;
  };
  const fields = {};
  fields['APPLICATION-ID'] = text(12);
  fields['RESULT-CODE'] = text(2);
  fields['RISK-SCORE'] = zoned(4, 0);
  fields.PROBABILITY = zoned(1, 6);
  fields.DECISION = text(1);
  fields['REASON-CODE'] = [text(3), text(3), text(3)].filter(Boolean).join(','); // PIC X(3) OCCURS 3 TIMES
  fields['MODEL-VERSION'] = text(20);
  fields['ERROR-TEXT'] = text(80);
  return fields;
}

module.exports = { requestRecord, readResponse, ANNUAL_INCOME, REQUEST_LENGTH, RESPONSE_LENGTH };
