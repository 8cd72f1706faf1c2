package com.example.hello;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Unit tests without a test framework (JUnit cannot be downloaded on the course machines).
 *
 * <p>Maven Surefire runs this class as a "POJO test": every public void test* method is a test and a thrown
 * exception fails it. Without Maven, run it with plain Java:
 * {@code java -cp target/classes:target/test-classes com.example.hello.GreetingTest}.
 */
public class GreetingTest {

    public void testGreetsByName() {
        check("Hello, Ada!".equals(Greeting.greet("Ada")), "greet(Ada)");
    }

    public void testBlankNameBecomesWorld() {
        check("Hello, world!".equals(Greeting.greet(null)), "greet(null)");
        check("Hello, world!".equals(Greeting.greet("   ")), "greet(blank)");
    }

    public void testLongNameIsCut() {
        String greeting = Greeting.greet("x".repeat(100));
        check(greeting.length() == "Hello, !".length() + Greeting.MAX_NAME, "long name cut: " + greeting);
    }

    public void testNameFromQuery() {
        check("Ada L".equals(Greeting.nameFromQuery("a=1&name=Ada%20L")), "decoded name");
        check(Greeting.nameFromQuery("a=1") == null, "no name");
        check(Greeting.nameFromQuery(null) == null, "no query");
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
        for (Method m : GreetingTest.class.getDeclaredMethods()) {
            if (!m.getName().startsWith("test") || !Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            run++;
            try {
                m.invoke(new GreetingTest());
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
