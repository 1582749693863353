// The same requests as ScoreCaller, sent through the RabbitMQ Java client's own request-reply
// helper, com.rabbitmq.client.RpcClient, as much existing Java code does: one blocking call per
// request, direct reply-to by default, and correlation ids that RpcClient numbers itself from "1"
// in every new client. Two programs (or two runs of one) therefore send the same correlation ids,
// with no message id: each must still get the answer to its own request.
//
//   java RpcCaller [--url URL] [--json-queue Q] [--fixed-queue Q] [--timeout-s 30] applicants.csv
//
// Prints the same REPLY lines as ScoreCaller (correlation= is the id RpcClient chose); a call
// that times out is printed as MISSING and makes the exit code 3.

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.RpcClient;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

public final class RpcCaller {
    private RpcCaller() {
    }

    public static void main(String[] args) {
        ScoreCaller.exit("RpcCaller", () -> run(args));
    }

    static int run(String[] args) throws Exception {
        Map<String, String> options = ScoreCaller.parseArgs("RpcCaller", args);
        List<Map<String, String>> rows = ScoreCaller.readCsv(Path.of(options.get("csv")));
        int timeoutMs = Integer.parseInt(options.get("--timeout-s")) * 1000;
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(options.get("--url"));
        int missing = 0;
        try (Connection connection = factory.newConnection("scoregate-java-rpc-example")) {
            // One channel per RpcClient: direct reply-to allows one reply consumer per channel.
            RpcClient json = new RpcClient(connection.createChannel(), "", options.get("--json-queue"), timeoutMs);
            RpcClient fixed = new RpcClient(connection.createChannel(), "", options.get("--fixed-queue"), timeoutMs);
            for (Map<String, String> row : rows) {
                missing += call(json, "json", row.get("application_id"), "application/json", ScoreCaller.json(row));
                missing += call(fixed, "fixed", row.get("application_id"), "application/octet-stream",
                        LoanRecord.request(row));
            }
            json.close();
            fixed.close();
        }
        return missing == 0 ? 0 : 3;
    }

    /** One blocking call; 1 when it timed out, else 0. */
    private static int call(RpcClient client, String format, String applicationId, String contentType, byte[] body)
            throws Exception {
        // RpcClient sets reply_to and correlation_id itself; it numbers them 1, 2, 3 ...
        String correlationId = Integer.toString(client.getCorrelationId() + 1);
        String where = "format=" + format + "\tid=" + applicationId + "\tcorrelation=" + correlationId;
        try {
            RpcClient.Response reply = client.doCall(new AMQP.BasicProperties.Builder().contentType(contentType).build(),
                    body);
            if (!correlationId.equals(reply.getProperties().getCorrelationId())) {
                throw new IllegalStateException("RpcClient numbered the call " + reply.getProperties().getCorrelationId());
            }
            ScoreCaller.printReply(where, format, reply.getProperties(), reply.getBody());
            return 0;
        } catch (TimeoutException e) {
            System.out.println("MISSING\t" + where);
            return 1;
        }
    }
}
