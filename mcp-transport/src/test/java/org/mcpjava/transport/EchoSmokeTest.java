package org.mcpjava.transport;

import org.mcpjava.client.McpClient;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.server.McpServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EchoSmokeTest {
    @Test
    void echoAndInfoOverLoopback() {
        try (McpServer server = McpServer.builder().host("127.0.0.1").port(0).build().start();
             McpClient client = McpClient.builder().address("127.0.0.1", server.address().getPort()).connect()) {
            Payload reply = McpClient.await(client.call(0xFF01, Payload.utf8("hello"), Duration.ofSeconds(5)));
            try {
                assertEquals("hello", reply.toUtf8());
            } finally {
                reply.release();
            }
            String info = McpClient.await(client.info());
            assertTrue(info.contains("\"sessionId\":\"" + client.sessionId() + "\""), info);
            McpException e = assertThrows(McpException.class,
                    () -> McpClient.await(client.call(0x0042, Payload.empty(), Duration.ofSeconds(5))));
            assertEquals("NOT_FOUND", e.codeName());
        }
    }
}
