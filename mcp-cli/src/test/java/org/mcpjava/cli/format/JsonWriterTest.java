package org.mcpjava.cli.format;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonWriterTest {

    @Test
    void nestedValuesGetCommasInTheRightPlaces() {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb).beginObject()
                .field("a", 1)
                .name("b").beginArray().value("x").beginObject().endObject().beginArray().endArray().value(true).endArray()
                .name("c").beginObject().field("d", (String) null).endObject()
                .field("e", false)
                .endObject();
        assertEquals("{\"a\":1,\"b\":[\"x\",{},[],true],\"c\":{\"d\":null},\"e\":false}", sb.toString());
        MiniJson.parse(sb.toString());
    }

    @Test
    void escapesRoundTrip() {
        String nasty = "q\" b\\ n\n r\r t\t nul\u0000 del\u007f ls\u2028 \u00e9\u20ac\uD83D\uDE00";
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb).beginObject().field(nasty, nasty).endObject();
        Map<String, Object> m = MiniJson.object(sb.toString());
        assertEquals(nasty, m.get(nasty));
        assertEquals(List.of(), MiniJson.parse("[]"));
    }
}
