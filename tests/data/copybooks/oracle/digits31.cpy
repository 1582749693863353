      * More than 18 digits (Enterprise COBOL: 31 with ARITH(EXTEND)).
       01  BIG-REC.
           05  BG-ID                   PIC X(4).
           05  BG-PACKED               PIC S9(31) COMP-3.
           05  BG-PACKED-DEC           PIC S9(21)V9(10) COMP-3.
           05  BG-ZONED                PIC S9(25)V99.
