      *****************************************************************
      * ACCTRSP   CREDIT LIMIT REVIEW - RESPONSE FILE (EXAMPLE)        *
      *****************************************************************
       01  RR-RECORD.
           05  RR-REC-TYPE                 PIC X(01).
           05  RR-HEADER-REC.
               10  RH-BATCH-ID             PIC X(08).
               10  RH-MODEL                PIC X(24).
               10  FILLER                  PIC X(27).
           05  RR-DETAIL-REC REDEFINES RR-HEADER-REC.
               10  RD-CUSTOMER-NO          PIC X(10).
               10  RD-BRANCH               PIC X(04).
               10  RD-SCORE                PIC 9(03).
               10  RD-DECISION             PIC X(01).
               10  RD-REASON-CODE          PIC X(03) OCCURS 3 TIMES.
               10  FILLER                  PIC X(32).
           05  RR-TRAILER-REC REDEFINES RR-HEADER-REC.
               10  RT-RECORD-COUNT         PIC 9(09).
               10  RT-REJECT-COUNT         PIC 9(09).
               10  FILLER                  PIC X(41).
