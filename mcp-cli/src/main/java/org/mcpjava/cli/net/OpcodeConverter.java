package org.mcpjava.cli.net;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/** Parses an opcode: {@code 0xFF01}, {@code 65281}, or the built-in names {@code ECHO} and {@code INFO}. */
public final class OpcodeConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        int opcode;
        try {
            if (v.equals("ECHO")) {
                opcode = 0xFF01;
            } else if (v.equals("INFO")) {
                opcode = 0xFF02;
            } else if (v.startsWith("0X")) {
                opcode = Integer.parseInt(v.substring(2), 16);
            } else {
                opcode = Integer.parseInt(v);
            }
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not an opcode (0x0001, 1, ECHO, INFO)");
        }
        if (opcode < 0 || opcode > 0xFFFF) {
            throw new TypeConversionException("opcode must be 0-65535 (0x0000-0xFFFF): " + value);
        }
        return opcode;
    }
}
