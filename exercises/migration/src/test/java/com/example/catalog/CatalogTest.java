package com.example.catalog;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

/**
 * Unit tests without a test framework (JUnit cannot be downloaded on the course machines).
 *
 * <p>Maven Surefire runs this class as a "POJO test": every public void test* method is a test, and a thrown
 * exception fails it. Without Maven:
 * {@code java -cp target/classes:target/test-classes com.example.catalog.CatalogTest}.
 */
public class CatalogTest {

    public void testLookupById() {
        Catalog c = Catalog.demo();
        check(c.byId(2).map(Catalog.Item::name).orElse("").equals("Runtime stage"), "item 2");
        check(c.byId(42).isEmpty(), "missing item");
    }

    public void testJsonEscapesQuotes() {
        Catalog c = new Catalog(List.of(new Catalog.Item(7, "a \"b\"", 5)));
        check(c.toJson().equals("[{\"id\":7,\"name\":\"a \\\"b\\\"\",\"priceCents\":5}]"), "json: " + c.toJson());
    }

    public void testProfileFromArgsOverridesEnv() {
        check(App.profile(new String[] {}, null).equals("dev"), "default profile");
        check(App.profile(new String[] {}, "prod").equals("prod"), "env profile");
        check(App.profile(new String[] {"--profile=test"}, "prod").equals("test"), "arg profile");
        try {
            App.profile(new String[] {"--bogus"}, null);
            check(false, "unknown argument accepted");
        } catch (IllegalArgumentException expected) {
            // fine
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("failed: " + what);
        }
    }

    /** Runs every test method; exits 1 if any fails. */
    public static void main(String[] args) throws ReflectiveOperationException {
        int failed = 0;
        int run = 0;
        for (Method m : CatalogTest.class.getDeclaredMethods()) {
            if (!m.getName().startsWith("test") || !Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            run++;
            try {
                m.invoke(new CatalogTest());
                System.out.println("ok   " + m.getName());
            } catch (InvocationTargetException e) {
                failed++;
                System.out.println("FAIL " + m.getName() + ": " + e.getCause());
            }
        }
        System.out.println(run + " tests, " + failed + " failed");
        if (failed > 0 || run == 0) {
            System.exit(1);
        }
    }
}
