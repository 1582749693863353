      * Every numeric usage scoregate reads, as IBM Enterprise COBOL
      * lays it out, for the GnuCOBOL oracle tests.
       01  USAGE-REC.
           05  U-TEXT                  PIC X(12).
           05  U-ZONED                 PIC 9(5).
           05  U-ZONED-DEC             PIC 9(3)V99.
           05  U-OVERPUNCH             PIC S9(7)V99.
           05  U-OVERPUNCH-LEAD        PIC S9(4) SIGN LEADING.
           05  U-SEP-LEAD              PIC S9(5)V9
                                       SIGN LEADING SEPARATE.
           05  U-SEP-TRAIL             PIC S9(3) SIGN IS TRAILING
                                       SEPARATE CHARACTER.
           05  U-PACKED-ODD            PIC S9(7)V99 COMP-3.
           05  U-PACKED-EVEN           PIC S9(6) PACKED-DECIMAL.
           05  U-PACKED-UNSIGNED       PIC 9(5)V9 COMP-3.
           05  U-PACKED-18             PIC S9(16)V99 COMP-3.
           05  U-HALF                  PIC S9(4) COMP.
           05  U-HALF-UNSIGNED         PIC 9(4) COMP-4.
           05  U-FULL                  PIC S9(7)V99 BINARY.
           05  U-FULL-UNSIGNED         PIC 9(9) COMP.
           05  U-DOUBLE                PIC S9(18) COMP.
           05  U-DOUBLE-UNSIGNED       PIC 9(15)V999 COMPUTATIONAL.
           05  U-NATIVE-HALF           PIC S9(4) COMP-5.
           05  U-NATIVE-FULL           PIC 9(9) COMP-5.
           05  U-NATIVE-DOUBLE         PIC S9(18) COMP-5.
           05  U-GROUP-SIGN SIGN LEADING SEPARATE.
               10  U-INHERITED         PIC S9(3).
           05  U-GROUP-USAGE COMP-3.
               10  U-INHERITED-PACKED  PIC S9(5)V99.
           05  U-TABLE OCCURS 3 TIMES.
               10  U-CODE              PIC X(2).
               10  U-AMOUNT            PIC S9(5)V99 COMP-3.
               10  U-INNER OCCURS 2.
                   15  U-COUNT         PIC 9(3) COMP.
           05  U-DATE                  PIC 9(8).
           05  U-DATE-PARTS REDEFINES U-DATE.
               10  U-YEAR              PIC 9(4).
               10  U-MONTH             PIC 99.
               10  U-DAY               PIC 99.
           05  FILLER                  PIC X(3).
