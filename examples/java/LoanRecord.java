// The demo queue's fixed-width records, laid out by hand from the copybooks the way a legacy Java
// program that talks to a mainframe does it: byte offsets from LOANREQ.cpy and LOANRESP.cpy
// (app/defaults/amqp/copybooks/), EBCDIC code page 037, COMP-3 and zoned decimals built nibble by
// nibble. No scoregate code and no COBOL library is involved.

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class LoanRecord {
    static final Charset EBCDIC = Charset.forName("IBM037");
    static final int REQUEST_LENGTH = 83;    // LOAN-REQUEST
    static final int RESPONSE_LENGTH = 135;  // LOAN-RESPONSE
    private static final byte EBCDIC_SPACE = 0x40;

    private LoanRecord() {
    }

    /** Builds one LOAN-REQUEST record from an applicant row (field names of the CSV extract). */
    static byte[] request(Map<String, String> row) {
        Writer w = new Writer(REQUEST_LENGTH);
        w.text(12, row.get("application_id"));                            // APPLICATION-ID   PIC X(12)
        w.zoned(3, 0, false, required(row, "age"));                        // APPLICANT-AGE    PIC 9(3)
        w.packed(9, 2, required(row, "annual_income"));                    // ANNUAL-INCOME    PIC S9(9)V99 COMP-3
        w.text(4, row.get("employment_years"));                            // EMPLOYMENT-YEARS PIC X(4)
        w.text(1, row.get("home_ownership"));                              // HOME-OWNERSHIP   PIC X(1), 88 R O M X
        w.zoned(2, 0, false, required(row, "residence_years"));            // RESIDENCE-YEARS  PIC 9(2)
        w.zoned(2, 0, false, required(row, "dependants"));                 // DEPENDANTS       PIC 9(2)
        w.packed(7, 2, required(row, "loan_amount"));                      // LOAN-AMOUNT      PIC S9(7)V99 COMP-3
        w.zoned(3, 0, false, required(row, "term_months"));                // LOAN-TERM-MONTHS PIC 9(3)
        w.text(2, row.get("purpose"));                                     // LOAN-PURPOSE     PIC X(2)
        w.zoned(2, 2, false, required(row, "interest_rate"));              // INTEREST-RATE    PIC 9(2)V99
        w.text(1, row.get("cosigner"));                                    // HAS-COSIGNER     PIC X(1)
        w.text(6, row.get("debt_to_income"));                              // DEBT-TO-INCOME   PIC X(6)
        w.text(6, row.get("revolving_utilisation"));                       // REVOLVING-UTILISATION PIC X(6)
        w.zoned(2, 0, false, required(row, "open_accounts"));              // OPEN-ACCOUNTS    PIC 9(2)
        w.text(4, row.get("history_years"));                               // CREDIT-HISTORY-YEARS PIC X(4)
        w.zoned(2, 0, false, required(row, "delinquencies_2y"));           // DELINQUENCIES-2Y PIC 9(2)
        w.text(3, row.get("months_since_last_delinquency"));               // MONTHS-SINCE-DELINQ PIC X(3)
        w.zoned(2, 0, false, required(row, "inquiries_6m"));               // INQUIRIES-6M     PIC 9(2)
        w.zoned(2, 0, false, required(row, "bankruptcies"));               // BANKRUPTCIES     PIC 9(2)
        w.text(11, row.get("savings_balance"));                            // SAVINGS-BALANCE  PIC X(11)
        return w.done();
    }

    /** Reads one LOAN-RESPONSE record into its fields (numbers as text; blank numbers as ""). */
    static Map<String, String> response(byte[] record) {
        if (record.length != RESPONSE_LENGTH) {
            throw new IllegalArgumentException("LOAN-RESPONSE is " + RESPONSE_LENGTH + " bytes, got " + record.length);
        }
        Reader r = new Reader(record);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("APPLICATION-ID", r.text(12));
        out.put("RESULT-CODE", r.text(2));
        out.put("RISK-SCORE", r.zoned(4, 0));
        out.put("PROBABILITY", r.zoned(1, 6));
        out.put("DECISION", r.text(1));
        List<String> reasons = new ArrayList<>();
        for (int n = 0; n < 3; n++) {                                      // REASON-CODE PIC X(3) OCCURS 3 TIMES
            String code = r.text(3);
            if (!code.isEmpty()) {
                reasons.add(code);
            }
        }
        out.put("REASON-CODE", String.join(",", reasons));
        out.put("MODEL-VERSION", r.text(20));
        out.put("ERROR-TEXT", r.text(80));
        return out;
    }

    private static BigDecimal required(Map<String, String> row, String name) {
        String value = row.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(row.get("application_id") + ": " + name + " is required");
        }
        return new BigDecimal(value.trim());
    }

    /** Fills a record left to right, field after field, as the copybook lists them. */
    static final class Writer {
        private final byte[] record;
        private int at;

        Writer(int length) {
            record = new byte[length];
        }

        /** PIC X(n): EBCDIC text, left-justified, padded with spaces; null or "" is all spaces. */
        void text(int length, String value) {
            byte[] bytes = (value == null ? "" : value).getBytes(EBCDIC);
            if (bytes.length > length) {
                throw new IllegalArgumentException("'" + value + "' is longer than PIC X(" + length + ")");
            }
            Arrays.fill(record, at, at + length, EBCDIC_SPACE);
            System.arraycopy(bytes, 0, record, at, bytes.length);
            at += length;
        }

        /** PIC [S]9(whole)V9(scale), DISPLAY: one byte per digit, zone F; a signed field carries its
         *  sign in the last byte's zone (C plus, D minus). */
        void zoned(int whole, int scale, boolean signed, BigDecimal value) {
            int digits = whole + scale;
            String text = unscaled(digits, scale, signed, value);
            for (int i = 0; i < digits; i++) {
                record[at + i] = (byte) (0xF0 | (text.charAt(i) - '0'));
            }
            if (signed) {
                int zone = value.signum() < 0 ? 0xD0 : 0xC0;
                record[at + digits - 1] = (byte) (zone | (record[at + digits - 1] & 0x0F));
            }
            at += digits;
        }

        /** PIC S9(whole)V9(scale) COMP-3: two digits per byte, the sign in the last nibble (C plus,
         *  D minus), a leading zero nibble when the digit count is even. */
        void packed(int whole, int scale, BigDecimal value) {
            int digits = whole + scale;
            String text = unscaled(digits, scale, true, value);
            int length = digits / 2 + 1;
            String nibbles = (digits % 2 == 0 ? "0" : "") + text;
            for (int i = 0; i < length - 1; i++) {
                record[at + i] = (byte) ((nibbles.charAt(2 * i) - '0') << 4 | (nibbles.charAt(2 * i + 1) - '0'));
            }
            int sign = value.signum() < 0 ? 0x0D : 0x0C;
            record[at + length - 1] = (byte) ((nibbles.charAt(nibbles.length() - 1) - '0') << 4 | sign);
            at += length;
        }

        byte[] done() {
            if (at != record.length) {
                throw new IllegalStateException("record filled to " + at + " of " + record.length + " bytes");
            }
            return record;
        }

        private static String unscaled(int digits, int scale, boolean signed, BigDecimal value) {
            if (!signed && value.signum() < 0) {
                throw new IllegalArgumentException(value + " is negative for an unsigned field");
            }
            BigInteger whole = value.setScale(scale).unscaledValue().abs();  // refuses to round
            String text = whole.toString();
            if (text.length() > digits) {
                throw new IllegalArgumentException(value + " does not fit " + digits + " digits");
            }
            return "0".repeat(digits - text.length()) + text;
        }
    }

    /** Reads a record left to right. */
    static final class Reader {
        private final byte[] record;
        private int at;

        Reader(byte[] record) {
            this.record = record;
        }

        String text(int length) {
            String value = new String(record, at, length, EBCDIC);
            at += length;
            return value.strip();
        }

        /** PIC 9(whole)V9(scale), DISPLAY: the low nibble of each byte is a digit; all spaces is blank. */
        String zoned(int whole, int scale) {
            int digits = whole + scale;
            boolean blank = true;
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < digits; i++) {
                int b = record[at + i] & 0xFF;
                blank &= b == EBCDIC_SPACE;
                if (b >> 4 != 0xF || (b & 0x0F) > 9) {
                    text.append('?');
                } else {
                    text.append((char) ('0' + (b & 0x0F)));
                }
            }
            at += digits;
            if (blank) {
                return "";
            }
            if (text.indexOf("?") >= 0) {
                return text.toString();
            }
            return new BigDecimal(new BigInteger(text.toString()), scale).toPlainString();
        }
    }
}
