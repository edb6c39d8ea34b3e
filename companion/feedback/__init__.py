"""How a check reaches its verdict: cases and outcomes (verdict), the rules that recognise a mistake (rules),
the hints and the words of each mistake (hints), and the student edition's checks from stored data (stored)."""
