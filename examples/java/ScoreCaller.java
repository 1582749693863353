// A Java producer of the demo loan queues, written the way existing Java applications call a
// request-reply service on RabbitMQ: the RabbitMQ Java client, direct reply-to
// (amq.rabbitmq.reply-to) and one correlation id per request. Each applicant of a CSV extract goes
// out twice: as JSON to scoregate.demo.json and as an EBCDIC LOAN-REQUEST record (LoanRecord) to
// scoregate.demo.fixedwidth. Every reply is matched to its request by correlation id, read in its
// own format and printed as one tab-separated line:
//
//   REPLY  format=json|fixed  id=APPLICATION-ID  correlation=...  status=...  <the reply's fields>
//
// A request with no reply in time is printed as MISSING, a second reply to a request as DUPLICATE
// and a reply nobody asked for as UNEXPECTED; any of them makes the exit code 3.
//
//   java ScoreCaller [--url amqp://guest:guest@127.0.0.1:5672/%2F] [--json-queue Q]
//                    [--fixed-queue Q] [--timeout-s 30] [--settle-ms 500] applicants.csv

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.tools.json.JSONReader;
import com.rabbitmq.tools.json.JSONWriter;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

public final class ScoreCaller {
    static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
    static final String STATUS_HEADER = "x-scoregate-status";
    // The JSON interface names the codes the copybook's 88-levels abbreviate.
    static final Map<String, String> HOME = Map.of("R", "RENT", "O", "OWN", "M", "MORTGAGE", "X", "OTHER");
    static final Map<String, String> PURPOSE = Map.of("DC", "DEBT_CONSOLIDATION", "CC", "CREDIT_CARD",
            "HI", "HOME_IMPROVEMENT", "CA", "CAR", "SB", "SMALL_BUSINESS", "OT", "OTHER");

    /** One request on its way: which format, which applicant. */
    record Sent(String format, String applicationId) {
    }

    /** One reply as it came off the wire. */
    record Received(AMQP.BasicProperties properties, byte[] body) {
    }

    public static void main(String[] args) {
        exit("ScoreCaller", () -> run(args));
    }

    /** Runs a program's body; a failure (a refused login, an unknown vhost) is one line and exit code 1. */
    static void exit(String program, Callable<Integer> body) {
        try {
            System.exit(body.call());
        } catch (Exception e) {
            // The client reports a refused connection as an IOException whose cause says why.
            Throwable why = e.getMessage() == null && e.getCause() != null ? e.getCause() : e;
            System.err.println(program + ": " + why.getClass().getSimpleName() + ": " + why.getMessage());
            System.exit(1);
        }
    }

    /** The command line: the options (defaults: the demo queues on the local broker) and "csv". */
    static Map<String, String> parseArgs(String program, String[] args) {
        Map<String, String> options = new HashMap<>(Map.of(
                "--url", "amqp://guest:guest@127.0.0.1:5672/%2F", "--json-queue", "scoregate.demo.json",
                "--fixed-queue", "scoregate.demo.fixedwidth", "--timeout-s", "30", "--settle-ms", "500"));
        for (int i = 0; i < args.length; i++) {
            if (options.containsKey(args[i]) && i + 1 < args.length) {
                options.put(args[i], args[++i]);
            } else if (!options.containsKey("csv") && !args[i].startsWith("--")) {
                options.put("csv", args[i]);
            } else {
                System.err.println("usage: java " + program + " [--url URL] [--json-queue Q] [--fixed-queue Q] "
                        + "[--timeout-s N] [--settle-ms N] applicants.csv");
                System.exit(2);
            }
        }
        if (!options.containsKey("csv")) {
            System.err.println(program + ": name the applicants file (CSV with a header row)");
            System.exit(2);
        }
        return options;
    }

    static int run(String[] args) throws Exception {
        Map<String, String> options = parseArgs("ScoreCaller", args);
        List<Map<String, String>> rows = readCsv(Path.of(options.get("csv")));
        long timeoutMs = Long.parseLong(options.get("--timeout-s")) * 1000;

        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(options.get("--url"));
        Map<String, Sent> sent = Collections.synchronizedMap(new LinkedHashMap<>());  // read by the reply thread
        Map<String, List<Received>> replies = new ConcurrentHashMap<>();
        List<Received> unexpected = new CopyOnWriteArrayList<>();
        try (Connection connection = factory.newConnection("scoregate-java-example")) {
            Channel channel = connection.createChannel();
            // Direct reply-to: consume the pseudo-queue (auto-ack) on the channel that publishes, before publishing.
            channel.basicConsume(DIRECT_REPLY_TO, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    Received reply = new Received(properties, body);
                    String id = properties.getCorrelationId();
                    if (id != null && sent.containsKey(id)) {
                        replies.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(reply);
                    } else {
                        unexpected.add(reply);
                    }
                }
            });
            channel.addReturnListener(r -> System.out.println("UNROUTABLE\tqueue=" + r.getRoutingKey()));
            for (Map<String, String> row : rows) {
                String id = row.get("application_id");
                publish(channel, options.get("--json-queue"), json(row), "application/json", "utf-8", timeoutMs,
                        sent, new Sent("json", id));
                publish(channel, options.get("--fixed-queue"), LoanRecord.request(row), "application/octet-stream",
                        "cp037", timeoutMs, sent, new Sent("fixed", id));
            }
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (replies.size() < sent.size() && System.currentTimeMillis() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            // A second reply to the same request would come soon after the first: wait a little for it.
            TimeUnit.MILLISECONDS.sleep(Long.parseLong(options.get("--settle-ms")));
        }
        return report(sent, replies, unexpected);
    }

    private static void publish(Channel channel, String queue, byte[] body, String contentType, String encoding,
                                long timeoutMs, Map<String, Sent> sent, Sent what) throws IOException {
        String correlationId = UUID.randomUUID().toString();
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType(contentType).contentEncoding(encoding).deliveryMode(2)
                .correlationId(correlationId).replyTo(DIRECT_REPLY_TO).messageId(correlationId)
                // Not worth scoring after this caller has given up on it.
                .timestamp(new Date()).expiration(Long.toString(timeoutMs))
                .build();
        sent.put(correlationId, what);
        channel.basicPublish("", queue, true, properties, body);
    }

    /** The JSON request of the demo queue (app/defaults/amqp/sample-request.json). */
    static byte[] json(Map<String, String> row) {
        Map<String, Object> application = new LinkedHashMap<>();
        application.put("id", row.get("application_id"));
        Map<String, Object> applicant = new LinkedHashMap<>();
        applicant.put("age", number(row, "age"));
        applicant.put("annual_income", number(row, "annual_income"));
        applicant.put("employment_years", number(row, "employment_years"));
        applicant.put("home_ownership", HOME.getOrDefault(row.get("home_ownership"), row.get("home_ownership")));
        applicant.put("residence_years", number(row, "residence_years"));
        applicant.put("dependants", number(row, "dependants"));
        Map<String, Object> loan = new LinkedHashMap<>();
        loan.put("amount", number(row, "loan_amount"));
        loan.put("term_months", number(row, "term_months"));
        loan.put("purpose", PURPOSE.getOrDefault(row.get("purpose"), row.get("purpose")));
        loan.put("interest_rate", number(row, "interest_rate"));
        loan.put("cosigner", "Y".equals(row.get("cosigner")) ? 1 : 0);
        Map<String, Object> credit = new LinkedHashMap<>();
        for (String name : List.of("debt_to_income", "revolving_utilisation", "open_accounts", "history_years",
                "delinquencies_2y", "months_since_last_delinquency", "inquiries_6m", "bankruptcies",
                "savings_balance")) {
            credit.put(name, number(row, name));
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("application", application);
        request.put("applicant", applicant);
        request.put("loan", loan);
        request.put("credit", credit);
        return new JSONWriter().write(request).getBytes(StandardCharsets.UTF_8);
    }

    private static BigDecimal number(Map<String, String> row, String name) {
        String value = row.get(name);
        return value == null || value.isBlank() ? null : new BigDecimal(value.trim());
    }

    private static int report(Map<String, Sent> sent, Map<String, List<Received>> replies, List<Received> unexpected) {
        int problems = 0;
        for (Map.Entry<String, Sent> request : sent.entrySet()) {
            Sent what = request.getValue();
            List<Received> got = replies.getOrDefault(request.getKey(), List.of());
            String where = "format=" + what.format() + "\tid=" + what.applicationId() + "\tcorrelation=" + request.getKey();
            if (got.isEmpty()) {
                System.out.println("MISSING\t" + where);
                problems++;
                continue;
            }
            if (got.size() > 1) {
                System.out.println("DUPLICATE\t" + where + "\treplies=" + got.size());
                problems++;
            }
            printReply(where, what.format(), got.get(0).properties(), got.get(0).body());
        }
        for (Received reply : unexpected) {
            System.out.println("UNEXPECTED\tcorrelation=" + reply.properties().getCorrelationId());
            problems++;
        }
        return problems == 0 ? 0 : 3;
    }

    /** One REPLY line: where it belongs, its status header, its content type, its fields. */
    static void printReply(String where, String format, AMQP.BasicProperties properties, byte[] body) {
        Object status = properties.getHeaders() == null ? null : properties.getHeaders().get(STATUS_HEADER);
        System.out.println("REPLY\t" + where + "\tstatus=" + status + "\tcontent_type=" + properties.getContentType()
                + "\t" + read(format, body));
    }

    /** A reply's fields as tab-separated NAME=value pairs, read in the reply's own format. */
    @SuppressWarnings("unchecked")
    static String read(String format, byte[] body) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (format.equals("fixed")) {
            fields.putAll(LoanRecord.response(body));
        } else {
            Map<String, Object> doc = (Map<String, Object>) new JSONReader().read(new String(body, StandardCharsets.UTF_8));
            fields.put("application_id", doc.get("application_id"));
            for (String part : List.of("result", "error")) {
                if (doc.get(part) instanceof Map<?, ?> section) {
                    ((Map<String, Object>) section).forEach((k, v) -> fields.put(part + "." + k,
                            v instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList()) : v));
                }
            }
        }
        List<String> out = new ArrayList<>();
        fields.forEach((k, v) -> out.add(k + "=" + String.valueOf(v).replaceAll("[\t\r\n]", " ")));
        return String.join("\t", out);
    }

    /** A CSV extract with a header row; no quoting (the demo data has no commas in values). */
    static List<Map<String, String>> readCsv(Path path) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] values = line.split(",", -1);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i].trim(), i < values.length ? values[i].trim() : "");
            }
            rows.add(row);
        }
        return rows;
    }
}
