package graphgen.testserver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import org.neo4j.cli.AdminTool;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * A real Neo4j 5.26 Community server for graphgen's tests.
 *
 * <pre>
 *   serve HOME PORT PASSWORD   start the DBMS in HOME with Bolt on 127.0.0.1:PORT and auth on;
 *                              print "READY" when it accepts connections; stop when stdin closes,
 *                              so a server whose test session died never lingers.
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
        if (args.length != 4 || !args[0].equals("serve")) {
            System.err.println("usage: serve HOME PORT PASSWORD | admin ARGS...");
            System.exit(2);
        }
        serve(Path.of(args[1]), Integer.parseInt(args[2]), args[3]);
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
        try {
            // A fresh DBMS has user neo4j/neo4j with a forced password change; set the test password instead.
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    java.util.Map.of("password", password));
        } catch (RuntimeException e) {
            System.err.println("could not set the password: " + e.getMessage());
            System.exit(1); // the shutdown hook stops the DBMS
        }
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // Block until the parent closes our stdin.
        }
        dbms.shutdown();
    }
}
