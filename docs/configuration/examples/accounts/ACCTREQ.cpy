      *****************************************************************
      * ACCTREQ   CREDIT LIMIT REVIEW - REQUEST FILE (EXAMPLE)         *
      *           RECFM=VB  CODE PAGE 037 (EBCDIC)                     *
      *           ONE HEADER, N DETAIL, ONE TRAILER RECORD             *
      *****************************************************************
       01  AR-RECORD.
           05  AR-REC-TYPE                 PIC X(01).
               88  AR-IS-HEADER            VALUE 'H'.
               88  AR-IS-DETAIL            VALUE 'D'.
               88  AR-IS-TRAILER           VALUE 'T'.
           05  AR-HEADER-REC.
               10  AH-BATCH-ID             PIC X(08).
               10  AH-BUSINESS-DATE        PIC 9(08).
               10  FILLER                  PIC X(84).
           05  AR-DETAIL-REC REDEFINES AR-HEADER-REC.
               10  AD-CUSTOMER-NO          PIC X(10).
               10  AD-BRANCH               PIC X(04).
               10  AD-BIRTH-DATE           PIC 9(08).
               10  AD-ANNUAL-INCOME        PIC S9(09)V99 COMP-3.
               10  AD-HOUSING              PIC X(01).
                   88  AD-HOUSING-RENT     VALUE 'R'.
                   88  AD-HOUSING-OWN      VALUE 'O'.
                   88  AD-HOUSING-MORTGAGE VALUE 'M'.
                   88  AD-HOUSING-OTHER    VALUE 'X'.
               10  AD-DEPENDANTS           PIC 9(02).
               10  AD-ACCOUNT-COUNT        PIC 9(02).
               10  AD-ACCOUNT OCCURS 5 TIMES.
                   15  AD-ACCT-BALANCE     PIC S9(09)V99 COMP-3.
                   15  AD-ACCT-LIMIT       PIC S9(09)V99 COMP-3.
               10  AD-REQUESTED-LIMIT      PIC S9(07)V99 COMP-3.
           05  AR-TRAILER-REC REDEFINES AR-HEADER-REC.
               10  AT-RECORD-COUNT         PIC 9(09).
               10  FILLER                  PIC X(91).
