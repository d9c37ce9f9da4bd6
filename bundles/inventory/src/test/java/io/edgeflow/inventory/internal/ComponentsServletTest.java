package io.edgeflow.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ComponentsServletTest {
    @Test
    void aFailureShowsItsMessageAndRootCauseNeverTheFrames() {
        String trace = """
                org.osgi.service.component.ComponentException: java.lang.reflect.InvocationTargetException
                \tat org.apache.felix.scr.impl.inject.internal.ComponentConstructorImpl.newInstance(X.java:1)
                Caused by: java.lang.reflect.InvocationTargetException
                \tat java.base/jdk.internal.reflect.Foo(Foo.java:2)
                Caused by: java.lang.IllegalStateException: no route to the cloud
                \tat io.edgeflow.x.Y.<init>(Y.java:3)
                """;
        assertThat(ComponentsServlet.failure(trace))
                .isEqualTo("org.osgi.service.component.ComponentException: java.lang.reflect."
                        + "InvocationTargetException (caused by java.lang.IllegalStateException: no route to the cloud)")
                .doesNotContain("\tat", "Y.java");
        assertThat(ComponentsServlet.failure("java.lang.IllegalArgumentException: bad port")).isEqualTo(
                "java.lang.IllegalArgumentException: bad port");
        assertThat(ComponentsServlet.failure(null)).isNull();
        assertThat(ComponentsServlet.failure("x".repeat(5000))).hasSize(ComponentsServlet.MAX_FAILURE_CHARS + 1);
    }
}
