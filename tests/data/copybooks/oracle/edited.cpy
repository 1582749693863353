      * Edited numeric pictures, as report-style extracts carry them.
       01  EDITED-REC.
           05  ED-ID                   PIC X(4).
           05  ED-ZERO-SUPPRESS        PIC ZZZZ9.
           05  ED-AMOUNT               PIC -ZZ,ZZ9.99.
           05  ED-CURRENCY             PIC $$$,$$9.99CR.
           05  ED-PLUS                 PIC +9(5).
           05  ED-CHECK-PROTECT        PIC **,**9.99.
           05  ED-DEBIT                PIC Z(4)9.99DB.
           05  ED-TRAILING-MINUS       PIC 9(4).99-.
