      * A table whose size is in the record (OCCURS DEPENDING ON), last
      * in the record as GnuCOBOL 3.1 places it (it lays items after
      * such a table at their longest offset, not after the last entry).
       01  ODO-REC.
           05  ODO-ID                  PIC X(6).
           05  ODO-COUNT               PIC 9(2).
           05  ODO-ENTRY OCCURS 1 TO 5 TIMES DEPENDING ON ODO-COUNT.
               10  ODO-CODE            PIC X(3).
               10  ODO-AMOUNT          PIC S9(5)V99 COMP-3.
