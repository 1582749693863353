      * COMP-1 and COMP-2 floating point.
       01  FLOAT-REC.
           05  FL-ID                   PIC X(4).
           05  FL-SHORT                COMP-1.
           05  FL-LONG                 COMP-2.
