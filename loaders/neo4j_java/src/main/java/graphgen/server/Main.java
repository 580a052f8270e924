package graphgen.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.neo4j.cli.AdminTool;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.server.CommunityBootstrapper;
import org.neo4j.server.NeoBootstrapper;

/**
 * A real Neo4j 5.26 Community server for `graphgen neo4j serve` and graphgen's tests.
 *
 * <pre>
 *   serve HOME PORT [HTTP_PORT]
 *                              start the DBMS in HOME with Bolt on 127.0.0.1:PORT and auth on, user neo4j
 *                              with the password in the environment variable NEO4J_PASSWORD (never an
 *                              argument, which every local user could read);
 *                              with HTTP_PORT, as a whole server (the bootstrapper neo4j's own start
 *                              script uses) that also serves Neo4j Browser at http://127.0.0.1:HTTP_PORT/browser/
 *                              and advertises Bolt on PORT; print "READY" when it accepts connections;
 *                              stop when stdin closes, so a server whose test session died never lingers.
 *   admin ARGS...              run the real neo4j-admin (NEO4J_HOME and NEO4J_CONF from the environment).
 * </pre>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws IOException {
        if (args.length >= 1 && args[0].equals("admin")) {
            AdminTool.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        String password = System.getenv("NEO4J_PASSWORD");
        if ((args.length != 3 && args.length != 4) || !args[0].equals("serve") || password == null) {
            System.err.println("usage: NEO4J_PASSWORD=... serve HOME PORT [HTTP_PORT] | admin ARGS...");
            System.exit(2);
        }
        Path home = Path.of(args[1]);
        int port = Integer.parseInt(args[2]);
        if (args.length == 4) {
            serveWithBrowser(home, port, password, Integer.parseInt(args[3]));
        } else {
            serve(home, port, password);
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(' ');
        }
        return all.toString();
    }

    private static void serveWithBrowser(Path home, int port, String password, int httpPort) throws IOException {
        String bolt = "127.0.0.1:" + port;
        Map<String, String> config = Map.of(
                "server.bolt.enabled", "true",
                "server.bolt.listen_address", bolt,
                "server.bolt.advertised_address", bolt,
                "server.bolt.tls_level", "DISABLED",
                "server.http.enabled", "true",
                "server.http.listen_address", "127.0.0.1:" + httpPort,
                "server.http.advertised_address", "127.0.0.1:" + httpPort,
                "server.https.enabled", "false",
                "dbms.security.auth_enabled", "true",
                "server.memory.pagecache.size", "512m");
        CommunityBootstrapper bootstrapper = new CommunityBootstrapper();
        if (bootstrapper.start(home, config) != NeoBootstrapper.OK) {
            System.err.println("the server did not start; see " + home.resolve("logs"));
            System.exit(1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(bootstrapper::stop));
        setPassword(bootstrapper.getDatabaseManagementService(), password);
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // Block until the parent closes our stdin.
        }
        bootstrapper.stop();
    }

    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            // A fresh DBMS has user neo4j/neo4j with a forced password change; set the test password instead.
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (RuntimeException e) {
            // Restarted on an existing home: the password was set by the first start.
            if (!String.valueOf(rootMessage(e)).contains("cannot be the same")) {
                System.err.println("could not set the password: " + e.getMessage());
                System.exit(1); // the shutdown hook stops the DBMS
            }
        }
    }

    private static void serve(Path home, int port, String password) throws IOException {
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 1024L * 1024 * 1024)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));
        setPassword(dbms, password);
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // Block until the parent closes our stdin.
        }
        dbms.shutdown();
    }
}
