      * ACCTREJ   ONE REJECTED CUSTOMER, AS THE BATCH'S ERROR REPORT READS IT
       01  RJ-RECORD.
           05  RJ-CUSTOMER-NO              PIC X(10).
           05  RJ-RECORD-NO                PIC 9(09).
           05  RJ-REASON-CODE              PIC X(20).
           05  RJ-FIELD                    PIC X(30).
           05  RJ-REASON-TEXT              PIC X(60).
