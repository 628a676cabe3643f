// Starts a standalone Apache Solr 9 (the real server: solr-core on Jetty) serving the cores
// found in a Solr home directory. Run with Java's single-file mode, no build step:
//
//   java -cp 'solr/lib/*' solr/Launcher.java SOLR_HOME PORT
//
// The jars come from Maven Central (solr/pom.xml). solr/start.sh prepares SOLR_HOME
// (solr.xml + the "ckan" core with CKAN's schema.xml) and runs this in the background.
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class Launcher {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Launcher SOLR_HOME PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        if (!Files.isRegularFile(home.resolve("solr.xml"))) {
            System.err.println("no solr.xml in " + home);
            System.exit(2);
        }
        JettyConfig config = JettyConfig.builder()
                .setPort(port)
                .setContext("/solr")
                .stopAtShutdown(true)
                .useOnlyHttp1(true)
                .build();
        JettySolrRunner solr = new JettySolrRunner(home.toString(), config);
        solr.start();
        System.out.println("Solr " + org.apache.solr.client.api.util.SolrVersion.LATEST
                + " listening on " + solr.getBaseUrl() + " (home " + home + ")");
        Thread.currentThread().join();
    }
}
